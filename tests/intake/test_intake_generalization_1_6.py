"""Lexicon 1.6.0's rules, and the probe messages written while it was built.

1.6.0 set out to generalize past 1.5.0's errors on heldout5 (measured blind once at
0.88/0.85 macro precision/recall, then studied): wrong items and missing items were
missed most (recall 0.68 each), ``other`` was reported where a message was about
something else, or the other way round (precision 0.62).  Each error was taken as a
family of wordings and covered in the six languages:

- counts: a number beside an ordering word and a smaller one beside a receiving word,
  in either order and any sentence shape ("the order was for 6, you shipped 5", "De
  los 5 libros que compré, llegaron 4", "买了四个碗，到手三个"), read by
  ``_quantities`` from the lexicon's ``ordered_cues``/``received_cues``; sizes, units,
  dates and times are no counts; "only N of M", "N out of M", "set of N ... M in the
  box";
- "came with X but no Y", "and nothing else", "X wasn't inside";
- a different size, model or colour told in either order ("got size 4, I ordered size
  2", "me habéis mandado", "geliefert wurde 44", "j'ai commandé une ... j'ai reçu un"),
  "I paid for", someone else's name or order in the parcel;
- a wrong or forgotten flat number, "if it hasn't shipped yet, send it to ..." (the
  condition is no question about whereabouts);
- a status frozen since a weekday, "is it even moving?" ("moving" alone is no longer
  an address change), "送哪去了";
- the same promise day after day ("for the 4th day in a row": ``#`` now reads "4th",
  "2nd", "3º"), "it's already the 28th", sarcastic applause;
- "delivered according to you, I have nothing", "received nothing", "rien vu";
- ``other``: "just a question", coupon and promo codes that do not work, product
  names ("slow cooker"), a baby's age, "what's wrong with your courier", a mailbox
  that is not the box ("boîte aux lettres", "caixa de correio").

The matcher: a complaint with a gap no longer hides a gapless match of another kind
inside what it skips (a second complaint); a phrase whose later words are nowhere in
the message is skipped before it is followed (what keeps the speed with ~900 more
terms).

Probe round 30 (88 messages, one or more per family and language) was written after
the first changes: 31 of 88 on 1.5.0, 88 on 1.6.0.  Round 31 (62 messages, other
wordings of the same families and messages about something else) was written before
any further change, as a test of generalization: 36 of 62 on 1.5.0 and 37 of 62 on
the 1.6.0 draft at first sight, 61 after the counts rule and a second set of family
terms.  Round 32 (55 messages: availability and delivery-time questions with
complaint words, "everything arrived, nothing missing", the label saying one thing and
the goods another, accessories "not supplied", one shoe of a pair, English chat
style) was written the same way before its changes: 30 of 55 on 1.5.0 and on the
draft, 55 after (labels against goods, "not in the pack/supplied", availability and
"how long does it usually take" as no complaint, a parcel left at another house
number, a tracking link that gives an error, "so I said no").  Round 33 (61
messages over every kind: a delivery photo of another door, "promised in 2 days,
it's been 9", a refusal because the box was damaged, a refusal disputed with
"nobody came", a customer's own ordering mistake, "not broken, just the wrong
colour") likewise: 45 of 61 on 1.5.0 and on the draft,
61 after.  Round 34 (34 messages, English chat and e-mail wordings over every kind,
and refunds not yet received, which are no parcel complaints): 17 of 34 on 1.5.0 and
on the draft, 34 after (a pair and a packing slip as counts, "won't even power up",
"not on the porch", "ordered N days ago", "sent me X, I ordered Y", "supposed to
have").  Round 35 (42 messages in the other five languages, chat style): 37 of 42 on
1.5.0, 36 on the draft at first sight (the counts rule read "pedí un iphone 13 y me
llegó un 12" as fewer than ordered), 41 after (a cue before a count must be next to
it, "un 12" is an article and a size, a wrong-item phrase over the count ordered is
that count, "ninguém atendeu" is a disputed attempt and no typo of "acendeu").  Left
out, still wrong: "Bestellt: Größe 40. Gekommen: Größe 38." (a phrase does not reach
across sentences);
"Está parado em 'objeto em trânsito' desde domingo."
(stuck somewhere since a date reads as a delay in the earlier parts' labels, so
"parado em ... desde" is not a question about whereabouts).
"""

from __future__ import annotations

import pytest

from logix_rules.intake import ReportKind, classify, default_lexicon

K = ReportKind


def test_the_default_lexicon_is_1_6_0_or_later() -> None:
    name, _, version = default_lexicon().label.partition("@")
    assert name == "default"
    assert tuple(int(p) for p in version.split(".")) >= (1, 6, 0)


@pytest.mark.parametrize(
    "text",
    [
        "You shipped 5 chairs, the order was for 6.",
        "Encomendei 4 pneus e me entregaram 3.",
        "De los 5 libros que compré, llegaron 4.",
        "Von den bestellten 3 Kissen sind 2 angekommen.",
        "Sur les 4 bougies commandées, j'en ai eu 3.",
        "订单里有3件，包裹里只有2件。",
    ],
)
def test_a_count_below_the_count_ordered_is_a_missing_item(text: str) -> None:
    result = classify(text)
    assert result.kinds == (K.MISSING_ITEMS,)
    assert any(e.term == "fewer than ordered" for e in result.evidence)


@pytest.mark.parametrize(
    "text",
    [
        "Ordered 3 mugs and got 3, thanks!",  # as many as ordered
        "I ordered size 10 and got size 8.",  # sizes are no counts
        "Ordered 3 weeks ago, got 1 email since.",  # a duration is no count
        "J'ai commandé une robe en 38 et j'ai reçu un pantalon en 44.",  # "en 38": a size
        "Ordered on 12/03, got 2 of them today.",  # a date is no count
    ],
)
def test_what_is_not_a_count_reports_no_missing_item(text: str) -> None:
    assert not any(e.term == "fewer than ordered" for e in classify(text).evidence)


def test_a_gap_phrase_keeps_a_second_complaint_inside_what_it_skips() -> None:
    # "veio ... eu pedi" (a wrong size) skips "só 1 dos 2" (a missing item)
    kinds = set(classify("veio só 1 dos 2 pares e ainda no número 39, eu pedi 41").kinds)
    assert kinds == {K.MISSING_ITEMS, K.WRONG_ITEM}
    # but its own last word stays its own: "número .. errado" is the address, not a
    # wrong item
    kinds = set(classify("Preciso mudar o endereço, o número da casa está errado.").kinds)
    assert kinds == {K.ADDRESS_CHANGE}


def test_an_ordinal_is_a_number() -> None:
    assert set(classify("'Arriving today' for the 5th day in a row.").kinds) == {K.DELAYED}


PROBES_ROUND_30: list[tuple[str, set[ReportKind]]] = [
    # fewer than ordered, quantities
    ("Only 3 of the 5 jars made it into the parcel.", {K.MISSING_ITEMS}),
    ("I paid for a set of 8 spoons and there are 6 in the box.", {K.MISSING_ITEMS}),
    ("2 out of 4 cushion covers came, where are the others?", {K.MISSING_ITEMS}),
    ("Comprei um kit com 5 pincéis e só vieram 3.", {K.MISSING_ITEMS}),
    ("Apenas 2 de 4 potes chegaram.", {K.MISSING_ITEMS}),
    ("El juego de 6 copas venía con solo 4.", {K.MISSING_ITEMS}),
    ("Pedí 3 camisetas y solo hay 2 en el paquete.", {K.MISSING_ITEMS}),
    ("Im Karton waren nur 4 von 6 Tellern.", {K.MISSING_ITEMS}),
    ("Ein Set mit 12 Gläsern bestellt, drin waren nur 10.", {K.MISSING_ITEMS}),
    ("Je n'ai reçu que 3 verres sur 6.", {K.MISSING_ITEMS}),
    ("Un lot de 4 serviettes, et seulement 3 dans le carton.", {K.MISSING_ITEMS}),
    ("买了四个碗，到手三个。", {K.MISSING_ITEMS}),
    ("一套六个杯子只有五个", {K.MISSING_ITEMS}),
    # came with X but no Y; nothing else
    ("The drill came with the battery but no charger.", {K.MISSING_ITEMS}),
    ("Recebi a luminária mas sem a lâmpada.", {K.MISSING_ITEMS}),
    ("Llegó la cafetera pero sin la jarra.", {K.MISSING_ITEMS}),
    ("Die Lampe kam an, aber ohne die Glühbirne.", {K.MISSING_ITEMS}),
    ("J'ai reçu le pied mais pas la lampe.", {K.MISSING_ITEMS}),
    ("The box had the controller and nothing else, no console.", {K.MISSING_ITEMS}),
    ("Chegou só o carregador e mais nada.", {K.MISSING_ITEMS}),
    ("Vino la funda y nada más, ni rastro del cable.", {K.MISSING_ITEMS}),
    ("Nur die Hülle war drin, sonst nichts.", {K.MISSING_ITEMS}),
    ("Il y avait la housse et rien d'autre.", {K.MISSING_ITEMS}),
    ("箱子里只有充电线，别的都没有", {K.MISSING_ITEMS}),
    ("Le cadeau promis n'était pas dedans.", {K.MISSING_ITEMS}),
    # got a different size / model, in either order
    ("I ordered size 10 and got size 8.", {K.WRONG_ITEM}),
    ("Received a size 6, I ordered a size 9.", {K.WRONG_ITEM}),
    ("Recebi o tênis 37, eu pedi 39.", {K.WRONG_ITEM}),
    ("Pedí el modelo negro y me habéis enviado el blanco.", {K.WRONG_ITEM}),
    ("Me llegó la talla S, yo pedí la L.", {K.WRONG_ITEM}),
    ("Ich habe Größe M bestellt, geliefert wurde L.", {K.WRONG_ITEM}),
    ("J'ai commandé un pull bleu, j'ai reçu une chemise.", {K.WRONG_ITEM}),
    ("On m'a envoyé du 40 alors que j'avais commandé du 42.", {K.WRONG_ITEM}),
    ("收到嘅唔係我訂嘅款式", {K.WRONG_ITEM}),
    # someone else's name
    ("The parcel I got is addressed to my neighbour, not me.", {K.WRONG_ITEM}),
    ("Veio uma caixa no nome do meu vizinho.", {K.WRONG_ITEM}),
    ("Me llegó un paquete a nombre de otra persona.", {K.WRONG_ITEM}),
    ("Das Paket ist auf den Namen meines Nachbarn.", {K.WRONG_ITEM}),
    ("J'ai reçu un colis au nom de ma voisine.", {K.WRONG_ITEM}),
    # address: wrong or forgotten flat number, "if not shipped, send it to"
    ("I forgot to add my apartment number, it's 12C.", {K.ADDRESS_CHANGE}),
    ("Oops, I put flat 3 but it should be flat 8.", {K.ADDRESS_CHANGE}),
    ("Esqueci de colocar o complemento, é apto 42.", {K.ADDRESS_CHANGE}),
    ("Digitei errado o CEP, o certo é 01310-100.", {K.ADDRESS_CHANGE}),
    ("Me olvidé de poner el piso, es el 3º B.", {K.ADDRESS_CHANGE}),
    ("Cámbienme el código postal por favor, puse 28001 y es 28010.", {K.ADDRESS_CHANGE}),
    ("Ich habe die Wohnungsnummer vergessen, es ist die 7.", {K.ADDRESS_CHANGE}),
    ("Bitte an meine Büroadresse schicken, falls noch möglich.", {K.ADDRESS_CHANGE}),
    ("J'ai oublié l'étage dans l'adresse, c'est au 4e.", {K.ADDRESS_CHANGE}),
    ("Envoyez-le plutôt chez mes parents, s'il n'est pas encore parti.", {K.ADDRESS_CHANGE}),
    ("我忘了写门牌号，是302室", {K.ADDRESS_CHANGE}),
    # a frozen status, "is it moving?"
    ("It has shown 'arrived at facility' since Thursday. Is it moving at all?", {K.WISMO}),
    ("O rastreio continua em trânsito desde sexta.", {K.WISMO}),
    ("El seguimiento sigue poniendo 'en tránsito' desde el martes.", {K.WISMO}),
    ("Die Sendungsverfolgung zeigt immer noch 'in Zustellung'.", {K.WISMO}),
    ("Le suivi indique toujours « en transit ».", {K.WISMO}),
    ("显示签收了，到底送到哪里去了？", {K.NOT_RECEIVED, K.WISMO}),
    # delay: the same promise day after day, today's date
    ("'Out for delivery' three days in a row now 🙄", {K.DELAYED}),
    ("Ordered on the 1st, it's now the 25th.", {K.DELAYED}),
    ("Já são 5 dias seguidos com 'sai para entrega hoje'.", {K.DELAYED}),
    ("Cinco días seguidos con 'en reparto' y nada.", {K.DELAYED, K.NOT_RECEIVED}),
    ("Seit 4 Tagen in Folge 'wird heute zugestellt'.", {K.DELAYED}),
    ("« Livraison demain » depuis 5 jours d'affilée.", {K.DELAYED}),
    ("连续五天都显示明天送达", {K.DELAYED}),
    # delivered according to you, nothing here
    ("Apparently delivered, but I have received nothing.", {K.NOT_RECEIVED}),
    ("Segundo vocês já foi entregue. Eu não tenho nada aqui.", {K.NOT_RECEIVED}),
    ("Según ustedes está entregado, yo no tengo nada.", {K.NOT_RECEIVED}),
    ("Angeblich zugestellt, aber bei mir ist nichts.", {K.NOT_RECEIVED}),
    ("Selon vous il est livré, moi je n'ai rien.", {K.NOT_RECEIVED}),
    ("显示投递成功，但我什么都没收到", {K.NOT_RECEIVED}),
    # broken, told as an adjective
    ("收到的时候镜子是碎的", {K.DAMAGED}),
    ("La couverture du livre est toute gondolée.", {K.DAMAGED}),
    ("La tapa llegó chueca y no cierra.", {K.DAMAGED}),
    # about something else
    ("Just a quick question: can I pay by invoice?", {K.OTHER}),
    ("Só uma dúvida: vocês emitem nota fiscal?", {K.OTHER}),
    ("Solo una pregunta, ¿tienen tienda física?", {K.OTHER}),
    ("Nur eine Frage: gibt es das auch in Rot?", {K.OTHER}),
    ("Juste une question : livrez-vous en Belgique ?", {K.OTHER}),
    ("只是想问一下有没有发票", {K.OTHER}),
    ("The promo code doesn't work at checkout.", {K.OTHER}),
    ("O cupom de desconto não funciona no site.", {K.OTHER}),
    ("El código de descuento no funciona.", {K.OTHER}),
    ("Der Gutschein funktioniert nicht im Warenkorb.", {K.OTHER}),
    ("Le code promo ne fonctionne pas.", {K.OTHER}),
    ("优惠码用不了，提示不符合条件", {K.OTHER}),
    ("Is the slow cooker dishwasher safe?", {K.OTHER}),
    ("My son is 18 months old, which size should I get?", {K.OTHER}),
    ("Mi bebé tiene 6 meses de edad, ¿qué talla recomiendan?", {K.OTHER}),
    ("Unser Baby ist 4 Monate alt, passt Größe 68?", {K.OTHER}),
]

PROBES_ROUND_31: list[tuple[str, set[ReportKind]]] = [
    ("Package contained 2 of the 3 books I bought.", {K.MISSING_ITEMS}),
    ("You shipped 5 chairs, the order was for 6.", {K.MISSING_ITEMS}),
    ("Half the set is missing – only the saucers, no cups.", {K.MISSING_ITEMS}),
    ("Encomendei 4 pneus e me entregaram 3.", {K.MISSING_ITEMS}),
    ("Do pedido de 3 itens, chegou 1.", {K.MISSING_ITEMS}),
    ("De los 5 libros que compré, llegaron 4.", {K.MISSING_ITEMS}),
    ("Compré un pack de 10 pilas y vinieron 8.", {K.MISSING_ITEMS}),
    ("Von den bestellten 3 Kissen sind 2 angekommen.", {K.MISSING_ITEMS}),
    ("Es fehlt die Hälfte der Bestellung.", {K.MISSING_ITEMS}),
    ("Sur les 4 bougies commandées, j'en ai eu 3.", {K.MISSING_ITEMS}),
    ("订单里有3件，包裹里只有2件。", {K.MISSING_ITEMS}),
    ("少了一件衣服", {K.MISSING_ITEMS}),
    ("This box has somebody else's order in it, none of it is mine.", {K.WRONG_ITEM}),
    ("It's a completely different product from the one on the listing.", {K.WRONG_ITEM}),
    ("The shoes arrived but they're a 7 and I ordered an 8.", {K.WRONG_ITEM}),
    ("They sent the 64GB model, I paid for 128GB.", {K.WRONG_ITEM}),
    ("A caixa veio com o pedido de outra pessoa.", {K.WRONG_ITEM}),
    ("Isso não é o que eu comprei, veio uma mochila no lugar da mala.", {K.WRONG_ITEM}),
    ("Esto no es lo que encargué, me mandaron otra cosa.", {K.WRONG_ITEM}),
    ("La caja traía el pedido de otro cliente.", {K.WRONG_ITEM}),
    ("Im Paket war die Bestellung von jemand anderem.", {K.WRONG_ITEM}),
    ("Das ist nicht das, was ich bestellt habe – ich wollte die blaue Version.", {K.WRONG_ITEM}),
    ("Ce n'est pas du tout ce que j'ai acheté.", {K.WRONG_ITEM}),
    ("Le colis contenait la commande d'un autre client.", {K.WRONG_ITEM}),
    ("收到的是别人的订单", {K.WRONG_ITEM}),
    ("我订的是白色，寄来个黑色的", {K.WRONG_ITEM}),
    ("Could you change the flat number to 14? I typed 41.", {K.ADDRESS_CHANGE}),
    ("If it hasn't gone out yet, please ship to my office instead.", {K.ADDRESS_CHANGE}),
    (
        "Se ainda não foi despachado, pode mandar para o endereço do meu trabalho?",
        {K.ADDRESS_CHANGE},
    ),
    ("Si aún no se ha enviado, ¿lo pueden mandar a casa de mi madre?", {K.ADDRESS_CHANGE}),
    (
        "Falls das Paket noch nicht raus ist: bitte an die Adresse meiner Eltern.",
        {K.ADDRESS_CHANGE},
    ),
    ("S'il n'est pas encore expédié, pouvez-vous le livrer à mon travail ?", {K.ADDRESS_CHANGE}),
    ("如果还没发货，麻烦改寄到我公司", {K.ADDRESS_CHANGE}),
    ("The tracking hasn't budged since Friday – same 'in transit' message.", {K.WISMO}),
    ("Lleva desde el jueves en 'admitido'. ¿Se ha perdido?", {K.WISMO}),
    ("Seit Montag steht da nur 'Sendung angekündigt'.", {K.WISMO}),
    ("Le statut n'a pas changé depuis mardi.", {K.WISMO}),
    ("物流从周一开始就没变过", {K.WISMO}),
    (
        "Every morning it says 'arriving today' and every night it doesn't come 🙃",
        {K.DELAYED, K.NOT_RECEIVED},
    ),
    ("Era pra chegar semana passada e nada até agora.", {K.DELAYED, K.NOT_RECEIVED}),
    ("Ya es día 30 y el pedido del día 2 no aparece.", {K.DELAYED, K.NOT_RECEIVED}),
    ("Heute ist schon der 20., bestellt hatte ich am 1.", {K.DELAYED}),
    ("On est déjà le 25 et toujours pas de colis.", {K.DELAYED, K.NOT_RECEIVED}),
    ("说好三天到，现在都十天了", {K.DELAYED}),
    ("Tracking claims it was handed over, but nobody here got anything.", {K.NOT_RECEIVED}),
    ("Marcado como entregue, mas aqui em casa não chegou nada.", {K.NOT_RECEIVED}),
    ("Dice entregado pero en casa no hay ningún paquete.", {K.NOT_RECEIVED}),
    ("Sendung 'zugestellt' – bei uns ist aber nichts angekommen.", {K.NOT_RECEIVED}),
    ("Marqué comme remis, mais je n'ai rien vu.", {K.NOT_RECEIVED}),
    ("顯示已送達，但我家門口什麼都沒有", {K.NOT_RECEIVED}),
    ("Can I get an invoice for my order?", {K.OTHER}),
    ("How do I return the sweater? It's too small.", {K.OTHER}),
    ("Posso pagar com Pix?", {K.OTHER}),
    ("¿Hacen envíos a Canarias?", {K.OTHER}),
    ("Kann ich die Rechnung als PDF bekommen?", {K.OTHER}),
    ("Je voudrais annuler ma commande, merci.", {K.OTHER}),
    ("请问可以开发票吗？", {K.OTHER}),
    ("The app keeps crashing when I try to log in.", {K.OTHER}),
    ("Only one question: is there a warranty?", {K.OTHER}),
    ("Mi hijo tiene 3 meses, ¿esta talla le vale?", {K.OTHER}),
    ("Where can I find the size chart?", {K.OTHER}),
]

PROBES_ROUND_32: list[tuple[str, set[ReportKind]]] = [
    # other: messages about something else that use complaint words
    ("Do you have this jacket in a different colour?", {K.OTHER}),
    ("Tem esse vestido em outra cor?", {K.OTHER}),
    ("¿Lo tienen en otro color?", {K.OTHER}),
    ("Gibt es den Pullover auch in einer anderen Farbe?", {K.OTHER}),
    ("Vous l'avez dans une autre couleur ?", {K.OTHER}),
    ("这个有别的颜色吗？", {K.OTHER}),
    ("I'd like to order 2 more of the same mug.", {K.OTHER}),
    ("Can I change the payment method on my order?", {K.OTHER}),
    ("Posso trocar a forma de pagamento?", {K.OTHER}),
    ("Quiero cambiar el método de pago.", {K.OTHER}),
    ("Kann ich die Zahlungsart noch ändern?", {K.OTHER}),
    ("Puis-je modifier le mode de paiement ?", {K.OTHER}),
    ("可以修改付款方式吗？", {K.OTHER}),
    ("How long does delivery to Portugal usually take?", {K.OTHER}),
    ("Quanto tempo demora a entrega para Manaus normalmente?", {K.OTHER}),
    ("Thanks, everything arrived fine and nothing was missing!", {K.OTHER}),
    ("Chegou tudo certinho, nada faltando, obrigada!", {K.OTHER}),
    ("Todo llegó perfecto, no faltaba nada. ¡Gracias!", {K.OTHER}),
    ("Alles angekommen, nichts fehlt, danke!", {K.OTHER}),
    ("Tout est arrivé, rien ne manque, merci !", {K.OTHER}),
    ("东西都收到了，一件不少，谢谢！", {K.OTHER}),
    # wrong item, other shapes
    ("The label says XL but it's clearly a medium.", {K.WRONG_ITEM}),
    ("Box says iPhone 14 case, inside is a Samsung one.", {K.WRONG_ITEM}),
    ("Na etiqueta diz G mas a camiseta é P.", {K.WRONG_ITEM}),
    ("La caja dice 'negro' y dentro hay uno gris.", {K.WRONG_ITEM}),
    ("Auf dem Karton steht 'schwarz', drin ist ein grauer.", {K.WRONG_ITEM}),
    ("Sur l'étiquette c'est écrit 42, mais ce sont des 40.", {K.WRONG_ITEM}),
    ("包装上写的是黑色，里面却是灰色的", {K.WRONG_ITEM}),
    ("I got a phone case for a totally different phone model.", {K.WRONG_ITEM}),
    ("Veio uma capa para outro modelo de celular.", {K.WRONG_ITEM}),
    ("Me mandaron un cargador que no es para mi modelo.", {K.WRONG_ITEM}),
    ("Das Ladegerät passt nicht, es ist für ein anderes Modell.", {K.WRONG_ITEM}),
    ("On m'a envoyé une coque pour un autre téléphone.", {K.WRONG_ITEM}),
    ("发来的手机壳是别的型号的", {K.WRONG_ITEM}),
    # missing items, other shapes
    ("The screws for assembly weren't in the pack.", {K.MISSING_ITEMS}),
    ("Os parafusos não vieram no pacote.", {K.MISSING_ITEMS}),
    ("Los tornillos no venían en el paquete.", {K.MISSING_ITEMS}),
    ("Die Schrauben lagen nicht bei.", {K.MISSING_ITEMS}),
    ("Les vis n'étaient pas fournies.", {K.MISSING_ITEMS}),
    ("螺丝没有给", {K.MISSING_ITEMS}),
    ("One of the two earbuds is missing from the case.", {K.MISSING_ITEMS}),
    ("Only the left shoe was in the box 🤦", {K.MISSING_ITEMS}),
    ("Veio só o pé esquerdo do tênis.", {K.MISSING_ITEMS}),
    ("Solo vino el zapato izquierdo.", {K.MISSING_ITEMS}),
    ("Es war nur der linke Schuh im Karton.", {K.MISSING_ITEMS}),
    ("Il n'y avait que la chaussure gauche.", {K.MISSING_ITEMS}),
    ("只有左脚的鞋子", {K.MISSING_ITEMS}),
    # English, mixed styles
    (
        "so the parcel turned up... with a massive hole and half the stuff gone",
        {K.DAMAGED, K.MISSING_ITEMS},
    ),
    ("still waiting lol. order was placed 3 weeks ago", {K.DELAYED}),
    ("ur courier left my parcel at number 12, i live at 21", {K.NOT_RECEIVED}),
    ("can i get it sent to my uni address instead", {K.ADDRESS_CHANGE}),
    ("the tracking link just says 'error'", {K.WISMO}),
    ("courier tried to hand me a parcel that wasn't mine so I said no", {K.REFUSED}),
    ("Dear team, kindly note the item received is not the one I purchased.", {K.WRONG_ITEM}),
    ("Bought a 3-pack of socks. 2 socks in the bag. Two. Socks.", {K.MISSING_ITEMS}),
]

PROBES_ROUND_33: list[tuple[str, set[ReportKind]]] = [
    # damaged
    ("The frame's glass came shattered, shards all over the box.", {K.DAMAGED}),
    ("My new kettle has a big dent on the side and leaks when filled.", {K.DAMAGED}),
    ("A tela do notebook chegou toda trincada 😭", {K.DAMAGED}),
    ("La maceta vino partida por la mitad.", {K.DAMAGED}),
    ("Der Spiegel ist in drei Teile zerbrochen angekommen.", {K.DAMAGED}),
    ("Le vase est arrivé en plusieurs morceaux.", {K.DAMAGED}),
    ("收到的杯子有一道裂纹", {K.DAMAGED}),
    ("Box was soaked through and the book pages are all stuck together.", {K.DAMAGED}),
    # not received
    ("Driver photo shows a door that isn't mine. No parcel here.", {K.NOT_RECEIVED}),
    ("Foto da entrega mostra uma porta que não é a minha, e nada do pacote.", {K.NOT_RECEIVED}),
    ("La foto de entrega es de otra puerta, y aquí no hay paquete.", {K.NOT_RECEIVED}),
    ("Das Zustellfoto zeigt eine fremde Haustür, bei mir ist kein Paket.", {K.NOT_RECEIVED}),
    (
        "La photo de livraison montre une porte qui n'est pas la mienne, pas de colis.",
        {K.NOT_RECEIVED},
    ),
    ("配送照片上的门不是我家的，我没收到包裹", {K.NOT_RECEIVED}),
    ("The parcel was stolen from my porch, the camera shows someone taking it.", {K.NOT_RECEIVED}),
    # delayed
    ("Promised in 2 days, it's been 9.", {K.DELAYED}),
    ("Prometeram 5 dias úteis, já se foram 15.", {K.DELAYED}),
    ("Me dijeron 48 horas y ya va una semana y media.", {K.DELAYED}),
    ("Versprochen war Lieferung in 2 Tagen, jetzt sind es 10.", {K.DELAYED}),
    ("Livraison annoncée sous 48h, on en est à 12 jours.", {K.DELAYED}),
    ("说好两天到，结果等了快两个星期", {K.DELAYED}),
    ("wow super speedy, only took a month and a half 🙄", {K.DELAYED}),
    # refused
    ("I refused the package because the box was ripped open.", {K.REFUSED, K.DAMAGED}),
    ("Recusei a entrega porque a caixa estava rasgada.", {K.REFUSED, K.DAMAGED}),
    ("Rechacé el paquete porque venía abierto y roto.", {K.REFUSED, K.DAMAGED}),
    ("Ich habe die Annahme verweigert, der Karton war kaputt.", {K.REFUSED, K.DAMAGED}),
    ("J'ai refusé le colis, le carton était éventré.", {K.REFUSED, K.DAMAGED}),
    ("外箱破了，我就拒收了", {K.REFUSED, K.DAMAGED}),
    ("The system says I refused it but I was at home all day and nobody came.", {K.REFUSED}),
    # address change
    ("Please redirect my order to my new flat: 22 Elm Road.", {K.ADDRESS_CHANGE}),
    ("Quero receber no meu endereço novo, mudei semana passada.", {K.ADDRESS_CHANGE}),
    ("¿Me lo pueden llevar a la oficina en lugar de a casa?", {K.ADDRESS_CHANGE}),
    ("Könnten Sie es bitte an eine Packstation umleiten?", {K.ADDRESS_CHANGE}),
    ("Je voudrais faire livrer ma commande au bureau plutôt qu'à la maison.", {K.ADDRESS_CHANGE}),
    ("麻烦把收货地址改成公司地址", {K.ADDRESS_CHANGE}),
    # wismo
    ("Any chance you can tell me where my stuff is?", {K.WISMO}),
    ("Alguém pode me dizer por onde anda minha encomenda?", {K.WISMO}),
    ("¿Alguien me puede decir por dónde va mi pedido?", {K.WISMO}),
    ("Können Sie mir sagen, wo meine Bestellung gerade ist?", {K.WISMO}),
    ("Quelqu'un peut me dire où en est ma commande ?", {K.WISMO}),
    ("能帮我看看我的快递到哪了吗", {K.WISMO}),
    ("Has my order even left your warehouse?", {K.WISMO}),
    # mixed, negation
    ("Not broken, not late, just the wrong colour. Ordered grey, got beige.", {K.WRONG_ITEM}),
    ("Nada quebrado, só veio a cor errada.", {K.WRONG_ITEM}),
    ("No llegó roto, pero es de otro color.", {K.WRONG_ITEM}),
    ("Nichts kaputt, aber leider die falsche Farbe.", {K.WRONG_ITEM}),
    ("Rien de cassé, mais ce n'est pas la bonne couleur.", {K.WRONG_ITEM}),
    ("没坏，就是颜色发错了", {K.WRONG_ITEM}),
    ("It came on time and in good shape, but the lid is missing.", {K.MISSING_ITEMS}),
    ("Chegou no prazo e em bom estado, mas faltou a tampa.", {K.MISSING_ITEMS}),
    ("Llegó a tiempo y en buen estado, pero falta la tapa.", {K.MISSING_ITEMS}),
    ("Pünktlich und unbeschädigt, aber der Deckel fehlt.", {K.MISSING_ITEMS}),
    ("Arrivé à l'heure et en bon état, mais il manque le couvercle.", {K.MISSING_ITEMS}),
    ("准时到了，也没坏，就是少了盖子", {K.MISSING_ITEMS}),
    # other
    ("Can you send me the invoice with my company's VAT number?", {K.OTHER}),
    ("I'd like to cancel, I ordered the wrong thing by mistake.", {K.OTHER}),
    ("Quero cancelar, pedi o tamanho errado sem querer.", {K.OTHER}),
    ("Quisiera cancelar, me equivoqué de talla al pedir.", {K.OTHER}),
    ("Ich möchte stornieren, ich habe mich bei der Größe vertan.", {K.OTHER}),
    ("Je souhaite annuler, je me suis trompé de taille en commandant.", {K.OTHER}),
    ("我想取消订单，我自己拍错尺码了", {K.OTHER}),
]

PROBES_ROUND_34: list[tuple[str, set[ReportKind]]] = [
    ("Hiya, parcel came today but the blender jug has a crack right down the side.", {K.DAMAGED}),
    ("opened it up and the thing won't even power up. great.", {K.DAMAGED}),
    ("The cake stand arrived in bits.", {K.DAMAGED}),
    ("Package marked delivered at 3pm, I was home, nothing came.", {K.NOT_RECEIVED}),
    (
        "My neighbour says the driver never came down our street today, yet it shows delivered.",
        {K.NOT_RECEIVED},
    ),
    (
        "Got the notification it was delivered but it's not on the porch or in the garage.",
        {K.NOT_RECEIVED},
    ),
    ("It's now 2 weeks past the latest delivery estimate.", {K.DELAYED}),
    ("Order placed 30 days ago. Still nothing. Seriously?", {K.DELAYED, K.NOT_RECEIVED}),
    ("This is taking way too long, it was meant to be here last Friday.", {K.DELAYED}),
    ("I received a blue lamp; I definitely chose the green one at checkout.", {K.WRONG_ITEM}),
    ("This isn't the brand I paid for, it's some knock-off.", {K.WRONG_ITEM}),
    ("You've sent me a men's jacket, I ordered women's.", {K.WRONG_ITEM}),
    ("The bundle was supposed to have a charger and a case. Case only.", {K.MISSING_ITEMS}),
    ("Where's the second pillow? I ordered a pair and there's just one.", {K.MISSING_ITEMS}),
    ("Packing slip lists 4 items, box had 3.", {K.MISSING_ITEMS}),
    ("I turned the delivery away at the door – the box was soaking wet.", {K.REFUSED, K.DAMAGED}),
    ("Tracking says 'refused' – I never turned anything away!", {K.REFUSED}),
    ("Please don't send it to my home address, use my office: 8 Bank St.", {K.ADDRESS_CHANGE}),
    ("I need to update the delivery address, I gave my old one by accident.", {K.ADDRESS_CHANGE}),
    ("Can you hold it at the depot so I can collect it?", {K.ADDRESS_CHANGE}),
    ("Hi, just checking in on order 55123 – has it been dispatched?", {K.WISMO}),
    ("Could someone look into where my parcel has got to?", {K.WISMO}),
    ("Tracking's been on 'awaiting collection from sender' for a week.", {K.WISMO, K.DELAYED}),
    ("Hi, what are your opening hours over Christmas?", {K.OTHER}),
    ("Loved the quality, will definitely order again!", {K.OTHER}),
    ("Do you offer gift wrapping?", {K.OTHER}),
    ("My refund hasn't come through yet, it's been 10 days.", {K.OTHER}),
    ("Can I swap the colour before you ship it?", {K.OTHER}),
    ("Is there a discount for ordering 10 or more?", {K.OTHER}),
    ("O reembolso ainda não caiu na minha conta.", {K.OTHER}),
    ("Todavía no me han devuelto el dinero.", {K.OTHER}),
    ("Die Rückerstattung ist noch nicht angekommen.", {K.OTHER}),
    ("Je n'ai toujours pas reçu mon remboursement.", {K.OTHER}),
    ("退款还没到账", {K.OTHER}),
]

PROBES_ROUND_35: list[tuple[str, set[ReportKind]]] = [
    ("gente, a caneca chegou toda lascada na borda 😡", {K.DAMAGED}),
    ("o fone não liga de jeito nenhum", {K.DAMAGED}),
    ("comprei 2 kits e chegou 1 só", {K.MISSING_ITEMS}),
    ("cadê o resto do meu pedido?? veio só a metade", {K.MISSING_ITEMS}),
    ("mandaram a cor errada, pedi preta e veio branca", {K.WRONG_ITEM}),
    ("já faz 20 dias e nada dessa encomenda", {K.DELAYED, K.NOT_RECEIVED}),
    ("o carteiro disse que ninguém atendeu mas eu estava em casa o dia todo", {K.NOT_RECEIVED}),
    ("dá pra mudar pra entregar na casa da minha vó?", {K.ADDRESS_CHANGE}),
    ("oi, meu pedido já foi postado?", {K.WISMO}),
    ("la tele vino con la pantalla rajada", {K.DAMAGED}),
    ("me faltan 2 piezas del mueble, no lo puedo armar", {K.MISSING_ITEMS}),
    ("pedí un iphone 13 y me llegó un 12", {K.WRONG_ITEM}),
    ("llevo 3 semanas esperando, esto es una vergüenza", {K.DELAYED}),
    ("el repartidor dice que lo entregó pero aquí no llegó nada", {K.NOT_RECEIVED}),
    ("¿me lo pueden dejar en el punto de recogida de la esquina?", {K.ADDRESS_CHANGE}),
    ("oye, ¿mi paquete ya va en camino?", {K.WISMO}),
    ("Die Tasse hat einen Sprung, kam so aus dem Karton.", {K.DAMAGED}),
    ("Es fehlen zwei Schrauben, Montage unmöglich.", {K.MISSING_ITEMS}),
    ("Seit drei Wochen warte ich jetzt schon, das ist lächerlich.", {K.DELAYED}),
    ("Laut DHL zugestellt, bei mir ist aber nie was angekommen.", {K.NOT_RECEIVED}),
    ("Können Sie das Paket bitte in die Filiale umleiten?", {K.ADDRESS_CHANGE}),
    ("Ist meine Bestellung schon verschickt worden?", {K.WISMO}),
    ("Le mug est arrivé ébréché, franchement déçu.", {K.DAMAGED}),
    ("Il me manque une pièce pour monter l'étagère.", {K.MISSING_ITEMS}),
    ("J'ai commandé du bleu marine, j'ai reçu du noir.", {K.WRONG_ITEM}),
    ("Trois semaines d'attente, c'est abusé.", {K.DELAYED}),
    ("Le livreur prétend avoir livré, je n'ai rien eu.", {K.NOT_RECEIVED}),
    ("Possible de le faire livrer chez ma voisine du dessous ?", {K.ADDRESS_CHANGE}),
    ("Ma commande a-t-elle été expédiée ?", {K.WISMO}),
    ("碗到的时候已经碎成几块了", {K.DAMAGED}),
    ("买了两双袜子，只来了一双", {K.MISSING_ITEMS}),
    ("我要的是L码，给我发了个S码", {K.WRONG_ITEM}),
    ("都半个多月了还没到，太慢了", {K.DELAYED, K.NOT_RECEIVED}),
    ("快递员说送到了，可是我根本没拿到", {K.NOT_RECEIVED}),
    ("能不能帮我改成送到公司？", {K.ADDRESS_CHANGE}),
    ("我的包裹现在到哪里了？", {K.WISMO}),
    ("请问你们周末发货吗？", {K.OTHER}),
    ("Vocês entregam no sábado?", {K.OTHER}),
    ("¿Aceptan pago contra reembolso?", {K.OTHER}),
    ("Liefern Sie auch in die Schweiz?", {K.OTHER}),
    ("Est-ce que vous livrez le samedi ?", {K.OTHER}),
]

PROBES = (
    PROBES_ROUND_30
    + PROBES_ROUND_31
    + PROBES_ROUND_32
    + PROBES_ROUND_33
    + PROBES_ROUND_34
    + PROBES_ROUND_35
)


@pytest.mark.parametrize(("text", "expected"), PROBES)
def test_probe_messages(text: str, expected: set[ReportKind]) -> None:
    assert set(classify(text).kinds) == expected
