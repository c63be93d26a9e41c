-- Numérote figures et tableaux sur tout le livre : « Figure 3 : … », « Tableau 2 : … ».
-- Le même arbre Pandoc alimente HTML, PDF et DOCX : la numérotation est identique partout.
-- Les graphiques HTML (div .pa-graphique, HTML brut du contrat des graphiques) reçoivent
-- le même libellé dans leur <figcaption>.
-- Les renvois à la Quarto (@tbl-…, @fig-…, @sec-…) deviennent des liens « tableau 2 »,
-- « figure 3 » ou le titre de la section ; toute autre « citation » reste le texte écrit
-- (le rapport n'a pas de bibliographie : « @etalab/… » est un nom de paquet).

local NBSP = "\u{00A0}"
local figures, tableaux = 0, 0
local renvois = {}

local function libelle(nom, numero)
  -- Typographie française : espaces insécables avant le numéro et avant les deux-points.
  return nom .. NBSP .. tostring(numero) .. NBSP .. ":"
end

local function prefixer(caption, texte)
  local inlines = pandoc.Inlines({ pandoc.Span(pandoc.Inlines(texte), { class = "pa-numero" }), pandoc.Space() })
  if #caption.long == 0 then
    caption.long = pandoc.Blocks({ pandoc.Plain(inlines) })
  else
    local premier = caption.long[1]
    if premier.t == "Plain" or premier.t == "Para" then
      premier.content = inlines .. premier.content
    else
      caption.long:insert(1, pandoc.Plain(inlines))
    end
  end
  return caption
end

local function Figure(fig)
  figures = figures + 1
  if fig.identifier ~= "" then
    renvois[fig.identifier] = "figure" .. NBSP .. tostring(figures)
  end
  fig.caption = prefixer(fig.caption, libelle("Figure", figures))
  return fig
end

local function Table(tbl)
  if #tbl.caption.long == 0 then
    return nil
  end
  tableaux = tableaux + 1
  if tbl.identifier ~= "" then
    renvois[tbl.identifier] = "tableau" .. NBSP .. tostring(tableaux)
  end
  tbl.caption = prefixer(tbl.caption, libelle("Tableau", tableaux))
  return tbl
end

local function Div(div)
  if not div.classes:includes("pa-graphique") then
    return nil
  end
  figures = figures + 1
  local marque = '<span class="pa-numero">' .. libelle("Figure", figures) .. "</span> "
  div.content = div.content:walk({
    RawBlock = function(raw)
      if raw.format == "html" then
        raw.text = raw.text:gsub("(<figcaption[^>]*>)", "%1" .. marque, 1)
      end
      return raw
    end,
  })
  return div
end

local function Header(h)
  if h.identifier ~= "" and renvois[h.identifier] == nil then
    renvois[h.identifier] = pandoc.utils.stringify(h.content)
  end
  return nil
end

local function Cite(cite)
  local liens = pandoc.Inlines({})
  for i, citation in ipairs(cite.citations) do
    local texte = renvois[citation.id]
    if texte == nil then
      return cite.content
    end
    if i > 1 then
      liens:insert(pandoc.Str(","))
      liens:insert(pandoc.Space())
    end
    liens:insert(pandoc.Link(texte, "#" .. citation.id))
  end
  return liens
end

-- Parcours dans l'ordre du document, pour que les numéros suivent la lecture ; les
-- renvois sont résolus ensuite, quand tous les numéros sont connus.
return {
  { traverse = "topdown", Figure = Figure, Table = Table, Div = Div, Header = Header },
  { Cite = Cite },
}
