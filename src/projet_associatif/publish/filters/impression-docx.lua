-- DOCX : impression.lua puis largeurs-tableaux.lua, tels qu'ils agissent sur un DOCX, mais
-- dans une conversion vers le JSON de Pandoc. Le moteur Pandoc les applique ainsi chapitre
-- par chapitre et garde chaque résultat (publish/memo.py) : après un changement de données,
-- seuls les chapitres changés repassent dans les filtres ; l'écriture du DOCX les assemble.
-- Chaque filtre est chargé dans son propre environnement où FORMAT vaut « docx » (le format
-- qu'il vise) ; les deux s'appliquent l'un après l'autre, comme avec deux --lua-filter.

local here = PANDOC_SCRIPT_FILE:match("^(.*[/\\])") or ""

local function filter(name)
  local env = setmetatable({ FORMAT = "docx" }, { __index = _G })
  local chunk = assert(loadfile(here .. name, "t", env))
  local returned = chunk()
  if returned ~= nil then
    return returned
  end
  -- Un filtre sans « return » : ses fonctions globales (Div, Table…) forment le filtre.
  local functions = {}
  for key, value in pairs(env) do
    if type(value) == "function" then
      functions[key] = value
    end
  end
  return functions
end

return { filter("impression.lua"), filter("largeurs-tableaux.lua") }
