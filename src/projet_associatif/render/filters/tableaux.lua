-- Laisse chaque format dimensionner les colonnes des tableaux d'après leur contenu.
-- Dans un tableau « pipe », Pandoc tire des largeurs relatives du nombre de tirets de la
-- ligne de séparation dès qu'une ligne dépasse 72 caractères : des colonnes étroites
-- (« Statut », « Formule ») y deviennent illisibles en PDF et en DOCX.
function Table(tbl)
  for i, colspec in ipairs(tbl.colspecs) do
    tbl.colspecs[i] = { colspec[1], nil }
  end
  return tbl
end
