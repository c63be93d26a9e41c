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
