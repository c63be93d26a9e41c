-- PDF et DOCX : donne aux blocs de style du rapport l'allure que la CSS leur donne en HTML.
-- .pa-question (« Que poursuivons-nous ? ») en gras, .pa-renvoi en italique.
-- Tableaux du bilan : largeurs relatives fixées par sorte de tableau, pour que Word et
-- LibreOffice les étalent sur la page au lieu de serrer des colonnes de quelques lettres.
local largeurs = {
  ["pa-grille"] = { 0.06, 0.32, 0.24, 0.22, 0.16 },
  ["pa-chiffres"] = { 0.46, 0.18, 0.18, 0.18 },
  ["pa-fiche-indicateurs"] = { 0.38, 0.20, 0.24, 0.18 },
  ["pa-fiche-etapes"] = { 0.40, 0.19, 0.19, 0.22 },
  ["pa-preconisations"] = { 0.62, 0.19, 0.19 },
  ["pa-suites"] = { 0.38, 0.19, 0.23, 0.20 },
  ["pa-changements"] = { 0.26, 0.34, 0.20, 0.20 },
}

local function sized(div)
  for class, widths in pairs(largeurs) do
    if div.classes:includes(class) then
      return pandoc.walk_block(div, {
        Table = function(tbl)
          if #tbl.colspecs ~= #widths then
            return nil
          end
          for i, spec in ipairs(tbl.colspecs) do
            tbl.colspecs[i] = { spec[1], widths[i] }
          end
          -- largeurs-tableaux.lua, qui suit, garde ces largeurs au lieu de les recalculer.
          tbl.attributes["pa-largeurs"] = "fixes"
          return tbl
        end,
      })
    end
  end
  return nil
end

-- Encadré « À compléter » (.pa-a-completer, present/blocks.ToComplete) : un cadre et un fond,
-- comme la CSS le dessine en HTML. Typst : un bloc encadré. DOCX : des paragraphes Word à
-- bordure et trame identiques, que Word réunit en un seul cadre.
local cadre_couleur = "B42318"
local cadre_fond = "FFF3C4"

local function xml_texte(text)
  return (text:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"))
end

local function run_docx(text, gras)
  local proprietes = gras and "<w:rPr><w:b/></w:rPr>" or ""
  return "<w:r>" .. proprietes .. '<w:t xml:space="preserve">' .. xml_texte(text) .. "</w:t></w:r>"
end

local function paragraphe_docx(inlines)
  local bord = 'w:val="single" w:sz="12" w:space="4" w:color="' .. cadre_couleur .. '"'
  -- Un run gras par Strong, un run pour chaque suite de texte ordinaire entre eux.
  local runs, texte = {}, ""
  for _, inline in ipairs(inlines) do
    if inline.t == "Strong" then
      if texte ~= "" then
        table.insert(runs, run_docx(texte, false))
        texte = ""
      end
      table.insert(runs, run_docx(pandoc.utils.stringify(inline.content), true))
    elseif inline.t == "Space" or inline.t == "SoftBreak" or inline.t == "LineBreak" then
      texte = texte .. " "
    else
      texte = texte .. pandoc.utils.stringify(inline)
    end
  end
  if texte ~= "" then
    table.insert(runs, run_docx(texte, false))
  end
  return pandoc.RawBlock(
    "openxml",
    '<w:p><w:pPr><w:pStyle w:val="BodyText"/><w:pBdr>'
      .. "<w:top " .. bord .. "/><w:left " .. bord .. "/><w:bottom " .. bord .. "/><w:right "
      .. bord .. "/></w:pBdr>"
      .. '<w:shd w:val="clear" w:color="auto" w:fill="' .. cadre_fond .. '"/></w:pPr>'
      .. table.concat(runs) .. "</w:p>"
  )
end

local function a_completer(div)
  if FORMAT == "typst" then
    local blocs = {
      pandoc.RawBlock(
        "typst",
        "#block(width: 100%, inset: 8pt, radius: 2pt, stroke: 1.5pt + rgb(\"#"
          .. cadre_couleur .. "\"), fill: rgb(\"#" .. cadre_fond .. "\"))["
      ),
    }
    for _, bloc in ipairs(div.content) do
      table.insert(blocs, bloc)
    end
    table.insert(blocs, pandoc.RawBlock("typst", "]"))
    return blocs
  elseif FORMAT == "docx" then
    local blocs = {}
    for _, bloc in ipairs(div.content) do
      if bloc.t == "Para" or bloc.t == "Plain" then
        table.insert(blocs, paragraphe_docx(bloc.content))
      elseif bloc.t == "BulletList" then
        for _, item in ipairs(bloc.content) do
          local texte = "• " .. pandoc.utils.stringify(item)
          table.insert(blocs, paragraphe_docx({ pandoc.Str(texte) }))
        end
      else
        table.insert(blocs, paragraphe_docx({ pandoc.Str(pandoc.utils.stringify(bloc)) }))
      end
    end
    return blocs
  end
  return nil
end

function Div(div)
  if div.classes:includes("pa-a-completer") then
    return a_completer(div)
  end
  if div.classes:includes("pa-bilan-tableau") then
    return sized(div)
  end
  if div.classes:includes("pa-question") then
    return pandoc.walk_block(div, {
      Para = function(p) return pandoc.Para({ pandoc.Strong(p.content) }) end,
      Plain = function(p) return pandoc.Plain({ pandoc.Strong(p.content) }) end,
    })
  end
  if div.classes:includes("pa-renvoi") then
    return pandoc.walk_block(div, {
      Para = function(p) return pandoc.Para({ pandoc.Emph(p.content) }) end,
    })
  end
  return nil
end

-- Lien qui a une autre cible à l'impression (attribut « imprime ») : le bilan renvoie au
-- projet de 2020, dont la page HTML et le PDF ne sont pas au même endroit relatif.
function Link(link)
  local target = link.attributes["imprime"]
  if target then
    link.target = target
    link.attributes["imprime"] = nil
    return link
  end
  return nil
end

-- Statuts du bilan (.pa-statut-*) : la couleur s'ajoute au symbole et au mot, en PDF
-- (Typst) comme en DOCX (un « run » Word coloré), comme la CSS le fait en HTML.
local statut_couleurs = {
  ["pa-statut-ok"] = "1A7F37",
  ["pa-statut-voie"] = "7A5300",
  ["pa-statut-retard"] = "B42318",
  ["pa-statut-attente"] = "4D4D4D",
  ["pa-statut-neutre"] = "1F4E79",
}

function Span(span)
  -- PDF/UA forbids font fallback: the symbols (✔ ✖ ▲ ○ ◆) come from a font Typst embeds.
  if span.classes:includes("pa-symbole") and FORMAT == "typst" then
    local out = { pandoc.RawInline("typst", '#text(font: "DejaVu Sans Mono", size: 0.9em)[') }
    for _, inline in ipairs(span.content) do
      table.insert(out, inline)
    end
    table.insert(out, pandoc.RawInline("typst", "]"))
    return out
  end
  for class, hex in pairs(statut_couleurs) do
    if span.classes:includes(class) then
      if FORMAT == "typst" then
        local out = { pandoc.RawInline("typst", '#text(fill: rgb("#' .. hex .. '"))[') }
        for _, inline in ipairs(span.content) do
          table.insert(out, inline)
        end
        table.insert(out, pandoc.RawInline("typst", "]"))
        return out
      elseif FORMAT == "docx" then
        local text = xml_texte(pandoc.utils.stringify(span.content))
        return pandoc.RawInline(
          "openxml",
          '<w:r><w:rPr><w:b/><w:color w:val="' .. hex .. '"/></w:rPr>'
            .. '<w:t xml:space="preserve">' .. text .. "</w:t></w:r>"
        )
      end
      return nil
    end
  end
  return nil
end
