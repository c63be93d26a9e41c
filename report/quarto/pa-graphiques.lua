-- Filtre Quarto. HTML : joint à chaque page le paquet Vega hors ligne et pa-charts.js.
-- quarto.doc.add_html_dependency copie les scripts dans site_libs/ et écrit des chemins
-- relatifs corrects pour chaque page du livre ; aucun CDN n'est utilisé.
-- vega-bundle.js et pa-charts.js sont écrits dans build/ à côté de ce fichier avant le rendu
-- (projet_associatif.publish.quarto.write_filter_assets : projet de mise en scène de
-- `build --engine quarto`, ou étape pre-render de `quarto render` à la racine).
-- Quand la métadonnée pa-fictif est donnée (fichier de mesures d'exemple), chaque page
-- commence par l'avertissement « Données fictives ». La page d'un chapitre-notebook finit
-- par le lien « Voir le notebook » vers <nom>.notebook.html, page écrite après le rendu
-- (projet_associatif.pipeline.quarto_prerender --post-render, ou render.quarto pour la mise en scène).

-- PDF et DOCX : l'encadré « À compléter » (.pa-a-completer, present/blocks.ToComplete), dessiné
-- comme publish/filters/impression.lua le dessine pour le moteur Pandoc (même code, copié :
-- un projet ne dépend pas des fichiers du paquet). Typst : un bloc encadré. DOCX : des
-- paragraphes Word à bordure et trame identiques, que Word réunit en un seul cadre.
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
  if quarto.doc.is_format("typst") then
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
  elseif quarto.doc.is_format("docx") then
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
  return nil
end

function Meta(meta)
  if quarto.doc.is_format("html") then
    quarto.doc.add_html_dependency({
      name = "pa-graphiques",
      version = "1.0.0",
      scripts = { "build/vega-bundle.js", "build/pa-charts.js" },
    })
  end
  return meta
end

local function lien_notebook(doc)
  local nom = (quarto.doc.input_file or ""):match("([^/\\]+)%.ipynb$")
  if nom ~= nil then
    local lien = pandoc.Link(pandoc.Inlines("Voir le notebook"), nom .. ".notebook.html")
    doc.blocks:insert(pandoc.Div({ pandoc.Para({ lien }) }, { class = "pa-voir-notebook" }))
  end
end

function Pandoc(doc)
  if not quarto.doc.is_format("html") then
    return doc
  end
  lien_notebook(doc)
  local avis = doc.meta["pa-fictif"]
  if avis == nil then
    return doc
  end
  local texte = pandoc.utils.stringify(avis)
  local libelle, reste = texte:match("^(.-) : (.*)$")
  local contenu = libelle and { pandoc.Strong(libelle), pandoc.Str(" : " .. reste) }
    or { pandoc.Str(texte) }
  local bandeau = pandoc.Div({ pandoc.Para(contenu) }, { class = "pa-fictif", role = "note" })
  doc.blocks:insert(1, bandeau)
  return doc
end
