-- Filtre Quarto (HTML) : joint à chaque page le paquet Vega hors ligne et pa-charts.js.
-- quarto.doc.add_html_dependency copie les scripts dans site_libs/ et écrit des chemins
-- relatifs corrects pour chaque page du livre ; aucun CDN n'est utilisé.
-- vega-bundle.js et pa-charts.js sont écrits dans build/ à côté de ce fichier avant le rendu
-- (projet_associatif.publish.quarto.write_filter_assets : projet de mise en scène de
-- `build --engine quarto`, ou étape pre-render de `quarto render` à la racine).
-- Quand la métadonnée pa-fictif est donnée (fichier de mesures d'exemple), chaque page
-- commence par l'avertissement « Données fictives ». La page d'un chapitre-notebook finit
-- par le lien « Voir le notebook » vers <nom>.notebook.html, page écrite après le rendu
-- (projet_associatif.pipeline.quarto_prerender --post-render, ou render.quarto pour la mise en scène).

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
