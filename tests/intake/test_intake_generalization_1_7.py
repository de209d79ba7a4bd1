"""Lexicon 1.7.0's rules, and the probe messages written while it was built.

1.7.0 set out to generalize past 1.6.0's errors on heldout6 (measured blind once at
0.91/0.90 macro precision/recall, then studied): real complaints read as ``other``
(18 of 40 errors) or as nothing, English and German recall (0.84, 0.85), sarcasm
(0.46) and typos (0.71).  Each error was taken as a family of wordings and covered in
the six languages:

- damage told through the result, often sarcastically about the packing: shards, "in
  N pieces/Teilen/morceaux/trozos/partes", "ist hin", "en caquinhos", "变成碎片",
  "a jigsaw"; a device that makes no sound ("doesn't make a sound", "não sai som",
  "no suena", "gibt keinen Ton", "ne fait aucun son", "没声音"), a key come loose;
- a refusal because of a fee: a refusal to pay ("wouldn't pay", "não quis pagar",
  "no pensaba pagar", "nicht zahlen wollte", "pas voulu payer", "不交") and a fee
  ("customs fee", "taxa", "aranceles", "Zollgebühren", "frais de douane", "关税") are
  weak cues (0.3) that count together; the courier taking it back ("wieder
  mitgenommen", "reparti avec", "se lo llevó", "带回去") is a refusal cue (0.6);
- a delay told relative to a promise: "'tomorrow' - that was 9 days ago", "due Friday,
  it's Wednesday" (weekday words after "today is"/"heute ist"/"on est"/"hoy es"/"hoje
  é", weak, counting beside a promise), "took your sweet time", "a week past the
  date", "came and went", "今天都周三了";
- missing parts: "no screws", "without the bulb/batteries/charger" in each language,
  "there's no X in there", "ni un tornillo"; a count after "counted/contei/conté/
  gezählt/compté/数了" below one after "should have/era de/debía traer/sollte/devait
  contenir/应该有";
- a wrong item told as a choice ("I chose black and got navy", "ausgewählt ... und
  bekomme", "我选的是...收到") or as a form, "Ordered: X. Received: Y." (a new rule,
  ``_labels``: an ordered cue and a received cue each followed by a colon, in any
  sentences); "alors que j'ai commandé", "em vez da", "die Farbe passt nicht";
- whereabouts: a tracking number that gives no information, "whats going on", "em que
  pé está";
- ``other``: an item awaited back in stock, a return awaiting its refund ("Retoure
  seit 2 Wochen bei euch"), changing an order's colour or size, "nothing inside was
  broken", "davon stand nirgends was", Portuguese "golpe" (a scam, not Spanish "a
  blow");
- negation: German "keins"; a slash between two words ("screws/bolts") no longer
  ends a clause.

Probe round 36 (85 messages, one or more per family and language, written before any
change): 35 of 85 on 1.6.0.  Round 37 (52 messages, other wordings of the same families,
written after the first changes and before the next): 17 of 52 on 1.6.0, 33 on the draft
at first sight, 50 after.  Round 38 (42 messages, English and German over every kind,
and messages about something else): 33 of 42 on 1.6.0, 34 on the draft at first sight,
42 after.  Round 39 (36 messages: sarcasm about speed and damage, chat-style typos in
the six languages): 34 of 36 on 1.6.0 and on the draft, unchanged.  Round 40 (33
messages: refusals at the door, parcels left with someone else, address changes and
status requests in new wordings): 24 of 33 on 1.6.0 and on the draft, 33 after ("told
the courier to take it back" in each language, "none of my neighbours have it", "a
doormat that isn't mine").  Left out, still wrong: a wait for an item back in stock told
in a separate sentence ("Wann ist die Jacke wieder lieferbar? Ich warte schon seit
Wochen."); a gift "bought at Christmas, arrived at Carnival"; "pedidoo" (an elongated
typo read as another typo).  Left out on purpose: a tracking status frozen "for N days"
(heldout6 labels it a question about whereabouts only, dev a delay as well; no rule can
follow both, so both stay as they were).
"""

from __future__ import annotations

import pytest

from logix_rules.intake import ReportKind, classify, default_lexicon

K = ReportKind


def test_the_default_lexicon_is_1_7_0_or_later() -> None:
    name, _, version = default_lexicon().label.partition("@")
    assert name == "default"
    assert tuple(int(p) for p in version.split(".")) >= (1, 7, 0)


@pytest.mark.parametrize(
    "text",
    [
        "Ordered: oak shelf, 80 cm. Received: pine shelf, 60 cm.",
        "Bestellt: Mantel Gr. 40. Geliefert: Gr. 44.",
        "Commandé : sac noir. Reçu : sac marron.",
        "订的：蓝色。收到：绿色。",
    ],
)
def test_an_ordered_label_and_a_received_label_are_a_wrong_item(text: str) -> None:
    result = classify(text)
    assert result.kinds == (K.WRONG_ITEM,)
    assert any(e.term == "ordered: .. received:" for e in result.evidence)


@pytest.mark.parametrize(
    "text",
    [
        "Ordered: 4 mugs. Received: 3 mugs.",  # fewer than ordered: the counts rule's
        "Ordered on Monday. Received nothing so far.",  # no labels
        "Note: I ordered the blue one.",  # one label only
    ],
)
def test_no_label_pair_no_wrong_item_from_labels(text: str) -> None:
    assert not any(e.term == "ordered: .. received:" for e in classify(text).evidence)


def test_a_slash_between_two_words_does_not_end_the_clause() -> None:
    assert set(classify("there's no bag of screws/bolts in there").kinds) == {K.MISSING_ITEMS}


def test_fee_cues_count_only_together() -> None:
    assert set(classify("I'm not paying for express shipping again.").kinds) == {K.OTHER}
    assert set(classify("Do I have to pay a customs fee?").kinds) != {K.REFUSED}
    assert set(classify("The courier wanted a customs fee and I wouldn't pay it.").kinds) == {
        K.REFUSED
    }


PROBES_ROUND_36: list[tuple[str, set[ReportKind]]] = [
    # sarcastic packaging / arrived in pieces
    (
        "Fantastic wrapping, really. A ceramic bowl in a paper envelope, and "
        "surprise, it's now a jigsaw puzzle.",
        {K.DAMAGED},
    ),
    ("Bravo for the packaging. My mirror came as a handful of shards.", {K.DAMAGED}),
    ("Nice job on the box, guys. The teapot arrived in four pieces 🙃", {K.DAMAGED}),
    ("Que capricho na embalagem, hein. O prato chegou em 4 partes.", {K.DAMAGED}),
    ("Embalagem nota 10, o copo veio em caquinhos.", {K.DAMAGED}),
    ("Vaya embalaje, enhorabuena. La taza llegó hecha trizas.", {K.DAMAGED}),
    ("Genial el envío, el plato llegó en tres trozos.", {K.DAMAGED}),
    ("Tolle Verpackung, wirklich. Die Vase ist natürlich hin.", {K.DAMAGED}),
    ("Klasse verpackt, der Teller kam in drei Teilen an.", {K.DAMAGED}),
    ("Bravo pour l'emballage, l'assiette est arrivée en trois morceaux.", {K.DAMAGED}),
    ("Super l'emballage, le miroir est en miettes évidemment.", {K.DAMAGED}),
    ("包装真用心啊，杯子到手变成碎片了", {K.DAMAGED}),
    ("这包装绝了，盘子直接裂成三块", {K.DAMAGED}),
    # device silent / parts dead
    ("The speaker arrived today and it doesn't make a sound. Brand new.", {K.DAMAGED}),
    ("Right earbud gives no sound at all, left one is fine.", {K.DAMAGED}),
    ("O fone chegou e o lado direito não sai som nenhum.", {K.DAMAGED}),
    ("Los auriculares llegaron y el derecho no suena nada.", {K.DAMAGED}),
    ("Der Lautsprecher ist heute gekommen und gibt keinen Ton von sich.", {K.DAMAGED}),
    ("Le casque est arrivé, l'écouteur gauche ne fait aucun son.", {K.DAMAGED}),
    ("耳机收到了，左边完全没声音", {K.DAMAGED}),
    # refused because of fees; courier took it back
    ("The driver took the parcel back because I wouldn't pay the import fee.", {K.REFUSED}),
    ("I told the courier I'm not paying £20 of duties, so he left with it.", {K.REFUSED}),
    (
        "O entregador levou a encomenda de volta porque eu não quis pagar a taxa de importação.",
        {K.REFUSED},
    ),
    ("El mensajero se llevó el paquete porque no quise pagar los aranceles.", {K.REFUSED}),
    (
        "Der Fahrer hat das Paket wieder mitgenommen, weil ich den Zoll nicht bezahlen wollte.",
        {K.REFUSED},
    ),
    ("Le livreur est reparti avec le colis car je n'ai pas voulu payer les taxes.", {K.REFUSED}),
    ("快递员要我交关税，我没交，他就把包裹带回去了", {K.REFUSED}),
    # sarcastic / relative delay
    (
        "You took your sweet time with this one. Order from the 2nd, promised "
        "for the 8th, it's the 19th.",
        {K.DELAYED},
    ),
    ('Delivery "tomorrow", they said. That was eleven days ago.', {K.DELAYED}),
    ("It's now two weeks past the date you promised me.", {K.DELAYED}),
    ('Entrega "amanhã", disseram. Isso foi há 10 dias.', {K.DELAYED}),
    ("Era pra chegar na sexta e já estamos na quarta.", {K.DELAYED}),
    ('Entrega "mañana", decían. Eso fue hace 8 días.', {K.DELAYED}),
    ("Tenía que llegar el lunes y ya es jueves.", {K.DELAYED}),
    ('Lieferung "morgen" hieß es, das war vor zwei Wochen.', {K.DELAYED}),
    ("Sollte Freitag kommen, jetzt ist Mittwoch.", {K.DELAYED}),
    ("Livraison \"demain\" qu'ils disaient, c'était il y a 9 jours.", {K.DELAYED}),
    ("Il devait arriver vendredi et on est déjà mercredi.", {K.DELAYED}),
    ("说好周一到，今天都周四了", {K.DELAYED}),
    ("说是明天到，结果这都过去一个礼拜了", {K.DELAYED}),
    # missing parts / accessories
    ("Got the shelf but there are no screws anywhere in the box.", {K.MISSING_ITEMS}),
    ("The bed frame came without any of the bolts, can't assemble it.", {K.MISSING_ITEMS}),
    ("O jogo era de 8 taças, contei 6.", {K.MISSING_ITEMS}),
    ("Recebi a luminária sem a lâmpada.", {K.MISSING_ITEMS}),
    ("La caja traía la silla pero ni un tornillo.", {K.MISSING_ITEMS}),
    ("Das Regal war da, aber keine einzige Schraube dabei.", {K.MISSING_ITEMS}),
    ("Seulement 4 verres sur les 6 dans le carton.", {K.MISSING_ITEMS}),
    ("J'ai reçu la lampe, mais sans l'ampoule.", {K.MISSING_ITEMS}),
    ("书架到了，螺丝一颗都没有", {K.MISSING_ITEMS}),
    # wrong item
    ("Ordered: blue mug. Received: green plate.", {K.WRONG_ITEM}),
    ("I chose black and got navy blue.", {K.WRONG_ITEM}),
    ("Veio a TV de 40 polegadas em vez da de 55.", {K.WRONG_ITEM}),
    ("Escogí el color negro y me llegó azul marino.", {K.WRONG_ITEM}),
    ("Bestellt: Größe L in Schwarz. Bekommen: Größe M in Grau.", {K.WRONG_ITEM}),
    ("Ich hab rot ausgewählt und bekomme rosa.", {K.WRONG_ITEM}),
    ("J'ai choisi le noir et j'ai reçu du bleu.", {K.WRONG_ITEM}),
    (
        "la housse que jai recu est pour un samsung alors que jai commander pour iphone",
        {K.WRONG_ITEM},
    ),
    ("我选的是黑色，收到的是深蓝色", {K.WRONG_ITEM}),
    # other
    (
        "Will the wool scarf be back in stock soon? I've been waiting for ages for it to return.",
        {K.OTHER},
    ),
    ("Do you have the oak table in stock again? Been waiting weeks for the restock.", {K.OTHER}),
    ("Meine Rücksendung ist seit 10 Tagen bei euch, wann bekomme ich mein Geld?", {K.OTHER}),
    ("Mon retour est chez vous depuis 2 semaines, quand serai-je remboursé ?", {K.OTHER}),
    ("Devolvi o produto há 2 semanas, quando cai o reembolso?", {K.OTHER}),
    ("Devolví el pedido hace 10 días, ¿cuándo me devuelven el dinero?", {K.OTHER}),
    ("退货寄回去两周了，什么时候退款？", {K.OTHER}),
    # tracking gives no information
    (
        "The UPS number 1Z999AA10123456784 doesn't give any information, is everything ok?",
        {K.WISMO},
    ),
    ("O código de rastreio não dá nenhuma informação, está tudo certo?", {K.WISMO}),
    ("El número de seguimiento no muestra ninguna información, ¿va todo bien?", {K.WISMO}),
    ("Die Sendungsnummer zeigt keinerlei Informationen an, ist alles in Ordnung?", {K.WISMO}),
    ("Le numéro de suivi ne donne aucune information, tout va bien ?", {K.WISMO}),
    # negation scope
    (
        "The set should have 4 mugs, there are 3. None broken, one is just missing.",
        {K.MISSING_ITEMS},
    ),
    (
        "Das Set sollte 4 Tassen haben, es sind 3. Keins kaputt, eine fehlt einfach.",
        {K.MISSING_ITEMS},
    ),
    ("O kit tinha 4 xícaras, vieram 3. Nenhuma quebrada, só falta uma.", {K.MISSING_ITEMS}),
    ("Nothing is missing, but the lid is cracked.", {K.DAMAGED}),
    # typos / chat
    ("Whats going on with my parcel?? no card no nothing", {K.WISMO}),
    ("wheres my order, its been ages", {K.WISMO, K.DELAYED}),
    ("the glas is brokn and the box was crushd", {K.DAMAGED}),
    ("i never recieved my package", {K.NOT_RECEIVED}),
    ("em que pé está meu pedido?", {K.WISMO}),
]

PROBES_ROUND_37: list[tuple[str, set[ReportKind]]] = [
    (
        "Loved how you shipped a glass lamp with zero padding. It's in about "
        "six pieces now, cheers.",
        {K.DAMAGED},
    ),
    ("Whoever packed this deserves a medal. The plate is in bits.", {K.DAMAGED}),
    (
        "Incrível como conseguiram mandar um espelho sem proteção nenhuma. "
        "Chegou todo em pedacinhos.",
        {K.DAMAGED},
    ),
    ("Qué buen trabajo el de empaquetar, el espejo llegó hecho añicos.", {K.DAMAGED}),
    ("Ganz großes Kino: die Tasse kam in Einzelteilen an.", {K.DAMAGED}),
    ("Merci pour le soin apporté au colis, le vase est en mille morceaux.", {K.DAMAGED}),
    ("真是谢谢你们的包装，碗到的时候已经碎成好几块了", {K.DAMAGED}),
    ("My new speaker is completely silent, no sound whatsoever.", {K.DAMAGED}),
    ("A caixa de som não emite som nenhum.", {K.DAMAGED}),
    ("El altavoz no emite ningún sonido.", {K.DAMAGED}),
    ("Aus dem Lautsprecher kommt kein Ton.", {K.DAMAGED}),
    ("L'enceinte n'émet aucun son.", {K.DAMAGED}),
    ("音箱一点声音都没有", {K.DAMAGED}),
    ("The postman wanted 30 euros in customs duties, so I didn't take it.", {K.REFUSED}),
    ("Carteiro queria cobrar imposto, não paguei e ele voltou com a caixa.", {K.REFUSED}),
    ("El cartero me pedía 25 euros de aduana, no los pagué y se lo volvió a llevar.", {K.REFUSED}),
    (
        "Der Postbote wollte 20 Euro Zoll, ich habe nicht bezahlt und er hat "
        "es wieder mitgenommen.",
        {K.REFUSED},
    ),
    (
        "Le facteur voulait 30 euros de frais de douane, je n'ai pas payé donc il l'a gardé.",
        {K.REFUSED},
    ),
    ("快递要收关税，我不交，就退回去了", {K.REFUSED}),
    ("Delivery was promised for Monday. Today is Saturday. Great service.", {K.DELAYED}),
    ("Prometeram entrega pra segunda, hoje já é sábado. Parabéns.", {K.DELAYED}),
    ("Me prometieron que llegaba el lunes y ya estamos a sábado.", {K.DELAYED}),
    ("Angeblich Lieferung am Montag, heute ist Samstag. Super.", {K.DELAYED}),
    ("On m'avait promis lundi, on est samedi. Bravo.", {K.DELAYED}),
    ("承诺周一送到，今天都周六了，厉害", {K.DELAYED}),
    (
        "The drawer unit arrived but the little bag of hardware wasn't in the box.",
        {K.MISSING_ITEMS},
    ),
    ("Chegou a cadeira mas os parafusos não vieram.", {K.MISSING_ITEMS}),
    ("Llegó la mesa pero faltan los tornillos.", {K.MISSING_ITEMS}),
    ("Der Schrank ist da, aber die Schrauben fehlen.", {K.MISSING_ITEMS}),
    ("La commode est arrivée mais les vis ne sont pas là.", {K.MISSING_ITEMS}),
    ("柜子到了，但是螺丝没给", {K.MISSING_ITEMS}),
    ("Ordered: size 10 trainers. Got: size 8 sandals.", {K.WRONG_ITEM}),
    ("Pedido: camiseta azul M. Recebido: camiseta verde G.", {K.WRONG_ITEM}),
    ("Pedido: funda negra. Recibido: funda roja.", {K.WRONG_ITEM}),
    ("Commandé : pull bleu. Reçu : pull rouge.", {K.WRONG_ITEM}),
    ("下单：白色。到手：黑色。", {K.WRONG_ITEM}),
    ("I selected the grey one and received beige.", {K.WRONG_ITEM}),
    ("Eu escolhi preto e veio branco.", {K.WRONG_ITEM}),
    (
        "When will the blue kettle be available again? I've been waiting weeks for a restock.",
        {K.OTHER},
    ),
    ("I sent my return back 3 weeks ago and still no refund, when do I get my money?", {K.OTHER}),
    ("Mandei a devolução faz 3 semanas, quando recebo meu dinheiro?", {K.OTHER}),
    ("Tracking hasn't changed in three days, where's my parcel?", {K.WISMO}),
    ("whats going on with my order", {K.WISMO}),
    ("O código não mostra nenhuma informação. Está tudo bem?", {K.WISMO}),
    ("Mi número de seguimiento no da ninguna información.", {K.WISMO}),
    ("The pack should contain 10 pens, I counted 8.", {K.MISSING_ITEMS}),
    ("Die Packung sollte 12 Stifte enthalten, ich habe 10 gezählt.", {K.MISSING_ITEMS}),
    ("El paquete debería traer 10 bolígrafos, conté 8.", {K.MISSING_ITEMS}),
    ("Nothing's missing but the frame glass is smashed.", {K.DAMAGED}),
    ("Nada quebrado, mas falta uma peça.", {K.MISSING_ITEMS}),
]

PROBES_ROUND_38: list[tuple[str, set[ReportKind]]] = [
    ("So the mug handle snapped clean off in transit. Awesome.", {K.DAMAGED}),
    ("Opened the box to find the picture frame glass in smithereens. Thanks a lot.", {K.DAMAGED}),
    ("My blender jug has a crack running down the side.", {K.DAMAGED}),
    ("The TV screen has a massive line across it straight out of the box.", {K.DAMAGED}),
    ("The sofa leg was snapped off when it arrived.", {K.DAMAGED}),
    ("Der Henkel der Tasse ist abgebrochen.", {K.DAMAGED}),
    ("Toll gemacht, der Spiegel hat jetzt einen Sprung quer durch.", {K.DAMAGED}),
    ("Die Kopfhörer geben keinen Mucks von sich.", {K.DAMAGED}),
    ("Das Display hat einen Riss, direkt nach dem Auspacken.", {K.DAMAGED}),
    (
        "Tracking says it was left in my safe place. There is no safe place and no parcel.",
        {K.NOT_RECEIVED},
    ),
    ("The app says handed to resident. I am the resident and I got nothing.", {K.NOT_RECEIVED}),
    ("Laut DHL wurde das Paket an mich übergeben. Ich habe nichts bekommen.", {K.NOT_RECEIVED}),
    ("Zugestellt steht da, aber vor meiner Tür lag nichts.", {K.NOT_RECEIVED}),
    (
        "Ordered three weeks ago for a two-day delivery. Still nothing, genius.",
        {K.DELAYED, K.NOT_RECEIVED},
    ),
    ("The estimated date came and went last Tuesday.", {K.DELAYED}),
    ("Vor drei Wochen bestellt, 2 bis 3 Werktage hieß es. Tolle Logistik.", {K.DELAYED}),
    ("Der voraussichtliche Liefertermin ist schon längst vorbei.", {K.DELAYED}),
    (
        "This isn't what I ordered at all, you sent me a phone case instead of a charger.",
        {K.WRONG_ITEM},
    ),
    ("The label says medium but the jumper inside is an XXL.", {K.WRONG_ITEM}),
    ("Das ist nicht das, was ich bestellt habe.", {K.WRONG_ITEM}),
    ("Statt der schwarzen Schuhe lagen braune im Karton.", {K.WRONG_ITEM}),
    ("Half the order is missing, only the socks came.", {K.MISSING_ITEMS}),
    ("One of the two lamps never made it into the box.", {K.MISSING_ITEMS}),
    ("Im Paket fehlte das Netzteil.", {K.MISSING_ITEMS}),
    ("Von den drei Büchern sind nur zwei angekommen.", {K.MISSING_ITEMS}),
    ("I refused the delivery because the box was ripped open.", {K.REFUSED, K.DAMAGED}),
    ("I didn't accept the parcel, the courier wanted cash on delivery.", {K.REFUSED}),
    ("Ich habe die Annahme verweigert, weil der Karton nass war.", {K.REFUSED, K.DAMAGED}),
    ("Habe das Paket zurückgehen lassen, die Nachnahme wollte ich nicht zahlen.", {K.REFUSED}),
    ("Can you send it to my office instead, 12 King St?", {K.ADDRESS_CHANGE}),
    ("Bitte an meine neue Adresse liefern: Hauptstraße 5.", {K.ADDRESS_CHANGE}),
    ("Any idea where my parcel has got to?", {K.WISMO}),
    ("Is my order actually on its way or not?", {K.WISMO}),
    ("Wo steckt mein Paket denn gerade?", {K.WISMO}),
    ("Gibt es irgendwas Neues zu meiner Bestellung?", {K.WISMO}),
    ("Can I change the colour of my order before it ships?", {K.OTHER}),
    ("Do you deliver to Switzerland?", {K.OTHER}),
    ("Ich möchte meine Bestellung stornieren.", {K.OTHER}),
    ("How do I return a jumper that's too small?", {K.OTHER}),
    ("Wie lange dauert der Versand nach Österreich normalerweise?", {K.OTHER}),
    ("Thanks, the parcel arrived safe and sound!", {K.OTHER}),
    ("Alles angekommen, nichts kaputt, danke!", {K.OTHER}),
]

PROBES_ROUND_39: list[tuple[str, set[ReportKind]]] = [
    ("Parabéns pela rapidez, só 3 semanas pra entregar um livro 👏", {K.DELAYED}),
    ("Qué rapidez, oye. Tres semanas para un paquete de 200 gramos.", {K.DELAYED}),
    ("Quelle rapidité ! Trois semaines pour une paire de chaussettes.", {K.DELAYED}),
    ("真是神速啊，下单一个月了还在路上", {K.DELAYED}),
    ("Wow, super speedy delivery, only took a month 🙄", {K.DELAYED}),
    ("Obrigado pela caixa amassada e pelo vaso trincado, adorei.", {K.DAMAGED}),
    ("Merci pour la tasse fêlée, vraiment top.", {K.DAMAGED}),
    ("Gracias por la pantalla rajada, un detallazo.", {K.DAMAGED}),
    ("Danke für den zerkratzten Bildschirm, echt klasse.", {K.DAMAGED}),
    ("谢谢你们送来的裂开的杯子，真贴心", {K.DAMAGED}),
    ("Thanks for the dented kettle, really made my day.", {K.DAMAGED}),
    ("o celular chegou com a tela trincda", {K.DAMAGED}),
    ("la pantaya esta rota", {K.DAMAGED}),
    ("das glass ist kaput", {K.DAMAGED}),
    ("l ecran est casse", {K.DAMAGED}),
    ("the lamp arived brokne", {K.DAMAGED}),
    ("donde esta mi paquete??", {K.WISMO}),
    ("wo ist mein packet", {K.WISMO}),
    ("ou est mon coli ?", {K.WISMO}),
    ("nao recebi nada ate agora e diz entregue", {K.NOT_RECEIVED}),
    ("dice entregado pero no me llego nada", {K.NOT_RECEIVED}),
    ("steht zugestellt aber hab nix bekommen", {K.NOT_RECEIVED}),
    ("marqué livré mais jai rien recu", {K.NOT_RECEIVED}),
    ("显示签收了但是我没收到", {K.NOT_RECEIVED}),
    ("me mandaram a cor errada, pedi azul veio rosa", {K.WRONG_ITEM}),
    ("me llego otra cosa, yo pedi unas zapatillas y vino una gorra", {K.WRONG_ITEM}),
    ("falscher Artikel geliefert, wollte Tassen und bekam Teller", {K.WRONG_ITEM}),
    ("pas le bon article, jai commandé des tasses et reçu des assiettes", {K.WRONG_ITEM}),
    ("发错货了，我买的杯子寄来的是盘子", {K.WRONG_ITEM}),
    ("faltou um item no meu pedido", {K.MISSING_ITEMS}),
    ("me falto un articulo", {K.MISSING_ITEMS}),
    ("es fehlt ein Teil", {K.MISSING_ITEMS}),
    ("il manque un article", {K.MISSING_ITEMS}),
    ("少了一件", {K.MISSING_ITEMS}),
]


PROBES_ROUND_40: list[tuple[str, set[ReportKind]]] = [
    (
        "I sent the driver away, the box looked like it had been kicked down the stairs.",
        {K.REFUSED},
    ),
    ("I refused it at the door because it was soaking wet.", {K.REFUSED, K.DAMAGED}),
    ("Told the delivery guy to take it back, I cancelled that order last week.", {K.REFUSED}),
    ("Eu não aceitei a entrega, o pacote estava violado.", {K.REFUSED}),
    ("Mandei o entregador voltar com a caixa, não pedi isso.", {K.REFUSED, K.WRONG_ITEM}),
    ("No acepté el paquete, venía abierto.", {K.REFUSED}),
    ("Le dije al mensajero que se lo llevara, ya lo había cancelado.", {K.REFUSED}),
    ("Ich habe das Paket an der Tür abgelehnt, es war offen.", {K.REFUSED}),
    ("Habe dem Boten gesagt, er soll es wieder mitnehmen.", {K.REFUSED}),
    ("J'ai refusé le colis à la porte, il était ouvert.", {K.REFUSED}),
    ("J'ai dit au livreur de le reprendre.", {K.REFUSED}),
    ("我让快递员拿回去了，不要了", {K.REFUSED}),
    ("包裹破了，我当场没签收，让他退回", {K.REFUSED, K.DAMAGED}),
    ("The driver's photo shows a parcel on a doormat that isn't mine.", {K.NOT_RECEIVED}),
    ("It says left with neighbour but none of my neighbours have it.", {K.NOT_RECEIVED}),
    ("Foi entregue pra outra pessoa, eu não recebi.", {K.NOT_RECEIVED}),
    ("Lo entregaron en otra dirección, a mí no me llegó.", {K.NOT_RECEIVED}),
    ("Laut Tracking beim Nachbarn abgegeben, der hat aber nichts.", {K.NOT_RECEIVED}),
    ("Soi-disant déposé chez le voisin, qui n'a rien reçu.", {K.NOT_RECEIVED}),
    ("快递说放在门口了，门口什么都没有", {K.NOT_RECEIVED}),
    ("Please redirect my parcel to my sister's place, 4 Elm Road.", {K.ADDRESS_CHANGE}),
    ("I typed the wrong postcode, it should be SW1A 1AA.", {K.ADDRESS_CHANGE}),
    ("Dá pra entregar no endereço da minha sogra?", {K.ADDRESS_CHANGE}),
    ("¿Pueden mandarlo a la casa de mi novia en vez de a la mía?", {K.ADDRESS_CHANGE}),
    ("Können Sie es an meine Arbeitsstelle schicken?", {K.ADDRESS_CHANGE}),
    ("Pouvez-vous l'envoyer à mon adresse de travail ?", {K.ADDRESS_CHANGE}),
    ("能不能改寄到我朋友家", {K.ADDRESS_CHANGE}),
    ("Can you tell me roughly when it'll turn up?", {K.WISMO}),
    ("Alguma novidade sobre a minha encomenda?", {K.WISMO}),
    ("¿Me podéis decir por dónde anda mi pedido?", {K.WISMO}),
    ("Können Sie mir sagen, wo mein Paket gerade ist?", {K.WISMO}),
    ("Vous pouvez me dire où en est ma commande ?", {K.WISMO}),
    ("帮我看看包裹到哪了", {K.WISMO}),
]

PROBES = PROBES_ROUND_36 + PROBES_ROUND_37 + PROBES_ROUND_38 + PROBES_ROUND_39 + PROBES_ROUND_40


@pytest.mark.parametrize(("text", "expected"), PROBES)
def test_probe_messages(text: str, expected: set[ReportKind]) -> None:
    assert set(classify(text).kinds) == expected
