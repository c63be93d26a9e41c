-- Filtre Quarto (HTML) : joint à chaque page le paquet Vega hors ligne et pa-charts.js.
-- quarto.doc.add_html_dependency copie les scripts dans site_libs/ et écrit des chemins
-- relatifs corrects pour chaque page du livre ; aucun CDN n'est utilisé.
-- vega-bundle.js et pa-charts.js sont écrits dans build/ à côté de ce fichier avant le rendu
-- (projet_associatif.render.quarto.write_filter_assets : projet de mise en scène de
-- `build --engine quarto`, ou étape pre-render de `quarto render` à la racine).
-- Quand la métadonnée pa-fictif est donnée (fichier de mesures d'exemple), chaque page
-- commence par l'avertissement « Données fictives ».

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

function Pandoc(doc)
  local avis = doc.meta["pa-fictif"]
  if not quarto.doc.is_format("html") or avis == nil then
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
