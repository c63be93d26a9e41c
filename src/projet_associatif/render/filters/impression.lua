-- PDF et DOCX : donne aux blocs de style du rapport l'allure que la CSS leur donne en HTML.
-- .pa-question (« Que poursuivons-nous ? ») en gras, .pa-renvoi en italique.
function Div(div)
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

local function xml_escape(text)
  return (text:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"))
end

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
        local text = xml_escape(pandoc.utils.stringify(span.content))
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
