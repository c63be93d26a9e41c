-- PDF et DOCX : chaque tableau prend toute la largeur du texte, et chaque colonne au moins
-- la largeur de son mot le plus long ; le reste va aux colonnes qui ont le plus de texte.
-- Sans largeurs, Pandoc écrit en DOCX <w:tblW w:type="auto" w:w="0"/> (LibreOffice serre
-- alors le tableau et coupe les mots) et en Typst des colonnes égales.
-- Les noms de fichiers longs (data/…/nom_de_fichier.csv) se coupent après « / » et « _ ».
-- En DOCX, le texte des cellules prend le style « Texte de tableau » (plus petit, comme en
-- PDF ; défini dans le modèle Word par render/docx.py).

local ZWSP = utf8.char(0x200B)
-- Largeur du texte, en caractères moyens de la police des tableaux (A4, marges de 2,5 cm).
local LINE = 90
-- Place d'une colonne en plus de son texte (marges intérieures de la cellule).
local PADDING = 2
-- Au-delà, une cellule longue ne réclame pas plus de place : elle passe à la ligne.
local WANT_CAP = 60
-- Un mot plus long que ceci se coupe après ses « / » et « _ ».
local BREAK_FROM = 14

-- Longueur en caractères moyens : une capitale en vaut un et demi (« PROVENANCE.md »).
local function length(text)
  local n = 0
  for _, code in utf8.codes(text) do
    local char = utf8.char(code)
    n = n + ((char:match("%u") or char == "—" or char == "%") and 1.5 or 1)
  end
  return n
end

local function breakable(text)
  if length(text) < BREAK_FROM then
    return text
  end
  return (text:gsub("([/_])", "%1" .. ZWSP))
end

local function measure(cell)
  local text = pandoc.utils.stringify(cell.contents)
  local longest = 0
  for word in text:gsub(ZWSP, " "):gmatch("%S+") do
    longest = math.max(longest, length(word))
  end
  return longest, length(text)
end

local function rows_of(tbl)
  local rows = {}
  for _, row in ipairs(tbl.head.rows) do table.insert(rows, row) end
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.head) do table.insert(rows, row) end
    for _, row in ipairs(body.body) do table.insert(rows, row) end
  end
  for _, row in ipairs(tbl.foot.rows) do table.insert(rows, row) end
  return rows
end

function Table(tbl)
  tbl = tbl:walk({
    Str = function(s)
      local text = breakable(s.text)
      if text ~= s.text then return pandoc.Str(text) end
    end,
  })
  local n = #tbl.colspecs
  local min, want = {}, {}
  for j = 1, n do min[j], want[j] = 1, 1 end
  for _, row in ipairs(rows_of(tbl)) do
    local j = 1
    for _, cell in ipairs(row.cells) do
      -- A cell spanning several columns does not size any one of them.
      if cell.col_span == 1 and j <= n then
        local longest, total = measure(cell)
        min[j] = math.max(min[j], longest + PADDING)
        want[j] = math.max(want[j], math.min(total, WANT_CAP) + PADDING)
      end
      j = j + cell.col_span
    end
  end
  local sum_min, sum_extra = 0, 0
  for j = 1, n do
    want[j] = math.max(want[j], min[j])
    sum_min = sum_min + min[j]
    sum_extra = sum_extra + (want[j] - min[j])
  end
  local width = {}
  local room = math.max(LINE - sum_min, 0)
  for j = 1, n do
    local extra = sum_extra > 0 and room * (want[j] - min[j]) / sum_extra or room / n
    width[j] = min[j] + extra
  end
  if FORMAT == "docx" then
    tbl = tbl:walk({
      Cell = function(cell)
        cell.contents = { pandoc.Div(cell.contents, { ["custom-style"] = "Texte de tableau" }) }
        return cell
      end,
    })
  end
  local total = 0
  for j = 1, n do total = total + width[j] end
  for j = 1, n do
    tbl.colspecs[j] = { tbl.colspecs[j][1], width[j] / total }
  end
  return tbl
end
