-- PDF et DOCX : chaque tableau prend toute la largeur du texte, et chaque colonne au moins
-- la largeur de son mot le plus long ; le reste va aux colonnes qui ont le plus de texte.
-- Sans largeurs, Pandoc écrit en DOCX <w:tblW w:type="auto" w:w="0"/> (LibreOffice serre
-- alors le tableau et coupe les mots) et en Typst des colonnes égales.
-- Les noms de fichiers longs (data/…/nom_de_fichier.csv) se coupent après « / », « _ », « . »
-- et « | ».
-- En DOCX, le texte des cellules prend le style « Texte de tableau » (plus petit, comme en
-- PDF ; défini dans le modèle Word par publish/docx.py).

local ZWSP = utf8.char(0x200B)
-- Largeur du texte, en caractères moyens de la police des tableaux : en PDF (Libertinus,
-- 9,45 pt) une centaine ; en DOCX (9 pt), 80 avec DejaVu Sans, que LibreOffice prend
-- faute d'Aptos. Le plus petit des deux vaut pour les deux.
local LINE = 80
-- Place d'une colonne en plus de son texte (marges intérieures de la cellule).
local PADDING = 3
-- Au-delà, une cellule longue ne réclame pas plus de place : elle passe à la ligne.
local WANT_CAP = 200
-- Un mot plus long que ceci se coupe après ses « / », « _ » et « . », et avant la capitale
-- d'un nom en camelCase.
local BREAK_FROM = 14

-- Longueur en caractères moyens : les lettres étroites (i, l, t…) comptent moins, les
-- larges (m, w) et les capitales plus (« Communes » est plus large que « Population »).
local NARROW = "[iljtfr%.,;:'’!|%(%)%[%] ]"
local WIDE = "[mwMW]"
local function length(text)
  local n = 0
  for _, code in utf8.codes(text) do
    local char = utf8.char(code)
    if char:match(WIDE) then
      n = n + 1.6
    elseif char:match("%u") or char == "—" or char == "%" then
      n = n + 1.35
    elseif char:match(NARROW) then
      n = n + 0.6
    else
      n = n + 1
    end
  end
  return n
end

local function breakable(text)
  if length(text) < BREAK_FROM then
    return text
  end
  -- Pas après le dernier caractère : « fichier.csv. » garde son point final. Un nom en
  -- « camelCase » (populationMunicipale) se coupe avant sa capitale.
  -- « | » aussi : les motifs (expressions régulières) de l'annexe C en enchaînent.
  text = text:gsub("([/_%.|])(.)", "%1" .. ZWSP .. "%2")
  return (text:gsub("(%l)(%u)", "%1" .. ZWSP .. "%2"))
end

local function measure(cell)
  local text = pandoc.utils.stringify(cell.contents)
  local longest = 0
  -- Une ligne peut aussi finir après un trait d'union (decoupage-/administratif).
  for word in text:gsub(ZWSP, " "):gsub("%-", "- "):gmatch("%S+") do
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

-- Les lignes d'un tableau, modifiées sur place puis remises (Pandoc rend des copies).
-- Le style ne s'applique qu'aux paragraphes (Para) : Pandoc met « Compact » aux Plain.
local function styled_rows(rows)
  for r, row in ipairs(rows) do
    for c, cell in ipairs(row.cells) do
      local blocks = cell.contents:walk({
        Plain = function(p) return pandoc.Para(p.content) end,
      })
      cell.contents = { pandoc.Div(blocks, { ["custom-style"] = "Texte de tableau" }) }
      row.cells[c] = cell
    end
    rows[r] = row
  end
  return rows
end

local function in_table_style(tbl)
  local head = tbl.head
  head.rows = styled_rows(head.rows)
  tbl.head = head
  local bodies = tbl.bodies
  for b, body in ipairs(bodies) do
    body.head = styled_rows(body.head)
    body.body = styled_rows(body.body)
    bodies[b] = body
  end
  tbl.bodies = bodies
  local foot = tbl.foot
  foot.rows = styled_rows(foot.rows)
  tbl.foot = foot
  return tbl
end

function Table(tbl)
  tbl = tbl:walk({
    Str = function(s)
      local text = breakable(s.text)
      if text ~= s.text then return pandoc.Str(text) end
    end,
  })
  -- Un tableau dont impression.lua a fixé les largeurs (tableaux du bilan) les garde.
  if tbl.attributes["pa-largeurs"] == "fixes" then
    tbl.attributes["pa-largeurs"] = nil
    if FORMAT == "docx" then
      tbl = in_table_style(tbl)
    end
    return tbl
  end
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
        -- What a column asks for is the text of all its cells: a column with a long
        -- text in every row (annex C's sources) gets more than one long cell.
        want[j] = want[j] + math.min(total, WANT_CAP)
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
    tbl = in_table_style(tbl)
  end
  local total = 0
  for j = 1, n do total = total + width[j] end
  for j = 1, n do
    tbl.colspecs[j] = { tbl.colspecs[j][1], width[j] / total }
  end
  return tbl
end
