-- PDF (Typst) : chaque image reçoit son texte alternatif, exigé par PDF/UA-1.
-- Le rédacteur Typst de Pandoc écrit image("…", width: …) sans le texte de l'attribut
-- alt ; ce filtre écrit l'appel lui-même, avec alt: « texte » (l'attribut alt, sinon la
-- légende). Dans une figure, Pandoc place ce code brut dans un bloc de contenu [#image(…)],
-- que Typst reconnaît toujours comme une figure d'image.

local function chaine_typst(texte)
  return '"' .. texte:gsub("\\", "\\\\"):gsub('"', '\\"'):gsub("\n", " ") .. '"'
end

-- Largeur Pandoc (« 97% », « 12cm », « 300px ») en longueur Typst ; nil si illisible.
local function longueur(valeur)
  if valeur == nil then
    return nil
  end
  local nombre, unite = valeur:match("^%s*([%d.]+)%s*(%a*%%?)%s*$")
  if nombre == nil then
    return nil
  end
  if unite == "%" or unite == "cm" or unite == "mm" or unite == "in" or unite == "pt" then
    return nombre .. unite
  end
  if unite == "" or unite == "px" then
    -- 96 px par pouce, comme Pandoc.
    return tostring(tonumber(nombre) * 0.75) .. "pt"
  end
  return nil
end

local function appel(img)
  local alt = img.attributes.alt
  if alt == nil or alt == "" then
    alt = pandoc.utils.stringify(img.caption)
  end
  if alt == "" then
    return nil
  end
  local arguments = { chaine_typst(img.src) }
  local largeur = longueur(img.attributes.width)
  if largeur then
    table.insert(arguments, "width: " .. largeur)
  end
  local hauteur = longueur(img.attributes.height)
  if hauteur then
    table.insert(arguments, "height: " .. hauteur)
  end
  table.insert(arguments, "alt: " .. chaine_typst(alt))
  return "image(" .. table.concat(arguments, ", ") .. ")"
end

-- Dans une figure, l'image garde sa largeur relative au bloc de texte.
local function Figure(fig)
  fig.content = fig.content:walk({
    Image = function(img)
      local code = appel(img)
      return code and pandoc.RawInline("typst", "#" .. code) or nil
    end,
  })
  return fig, false
end

-- Hors figure, comme Pandoc : une image en ligne est mise dans une boîte.
local function Image(img)
  local code = appel(img)
  return code and pandoc.RawInline("typst", "#box(" .. code .. ")") or nil
end

return { { traverse = "topdown", Figure = Figure, Image = Image } }
