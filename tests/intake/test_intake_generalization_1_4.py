# ruff: noqa: E501  (the probe table holds whole messages, one per line)
"""Lexicon 1.4.0's matching rules, and the probe messages written while it was built.

1.4.0 set out to remove the extra kinds 1.3.0 added where not_received, delayed and
wismo meet (heldout3's weak precision cells).  The rules, each tested below:

- of matches of the very same words, the one whose term spells more of them out
  wins ("recusei": Portuguese ``recus*``, refused, not French ``reçu*``, received);
- a negated arrival with an object reports the object's kind: not on time is a
  delay, no tracking number or update is a question about whereabouts, not the right
  size or colour is a wrong item;
- a loss wondered about ("será que extraviou", "是不是丢了") asks where the parcel is;
  a loss stated is a parcel not received;
- being stuck and "days" without a number are weak delay cues: together they are
  not a delay ("parado há dias, o que houve?" asks where it is), with a real
  duration they are;
- a one-word stem shorter than five letters from a language other than the
  message's does not stand alone (French ``bris*`` is not "Bristol").

Fifteen probe rounds, each written before any change for it and run on the lexicon of
the moment (exact kind sets on first sight): round 9 (63 messages aimed at the
overlaps, six languages) 27 on 1.3.0; round 10 (33, the same overlaps in new wordings)
23; round 11 (51, every kind in six languages, with traps: "nothing is damaged,
but...", disputed refusals) 48; round 12 (28, stuck parcels, vague and exact
durations, wrong sizes, address changes) 24; round 13 (35, cancellations and returns,
sarcasm, "not only X but also Y", disputed "nobody was home") 29; round 14 (30, formal
e-mails and slang) 23; round 15 (28, empty boxes, quantities, tracking numbers that
show nothing) 23; round 16 (26, two kinds in one message) 18; round 17 (24, typos,
full-width, mixed languages, traditional Chinese, sarcasm, "no problem with the
delivery, but...") 21; round 18 (22, "delivered on time, thanks", returns of what
arrived, "not the one I picked", typed-wrong postcodes and house numbers) 14; round 19
(22, two kinds in one message, "not broken, nothing missing, but...") 20; round 20
(22, colloquial Chinese and Brazilian Portuguese) 17; round 21 (22, informal Spanish,
German, French and English) 17; round 22 (20, disputed returns to sender, someone
else's parcel, status requests) 16; round 23 (18, wrong items and address changes in
new wordings) 14. Over the fifteen rounds 334 of 444 (0.75); on the last thirteen,
after the overlap rules were in, 284 of 348 (0.82); of the last eleven rounds' 57
wrong messages, 11 had an extra kind ("please don't deliver on Saturday", "die
Trackingnummer funktioniert nicht", "lo dejó en otra dirección", "pedí 2 pares y llegó
uno solo", "trompé de code postal" read as "trempé", "门牌号写错了" as a wrong item, "je
n'ai toujours pas mon colis" as "pas mon colis", "veio só a capa, cadê o celular??" as
a question about whereabouts, "la caja vacía, ni rastro de los auriculares" as a
parcel not received, "I was waiting for it" beside a disputed refusal as a delay,
"Bristol" as French "bris*") and the rest missed one: fresh wordings of wrong items
and address changes are still the weakest. Each round's misses then went into the
lexicon, so they are development data now: the ones 1.4.0 gets right are kept as exact
expectations. Left out, still wrong: sitting or blocked "for days" alone, a refusal
told as "not signed for", "didn't get it on time" (the negation far from "on time"),
an opened box as damage, "ordered the black one, got white" and "bought a medium, got
a large" (a comma between), "2 left shoes", "pedí 2 pares y llegó uno solo" (also a
wrong item), "delivered? no. in my mailbox? also no.", where to find a tracking
number, "cadê o celular" and "ni rastro de los auriculares" for an item missing from
the box, a duration after "no dice nada" read as negated, "hasn't changed in a week"
as no delay, "I was waiting for it" beside a disputed refusal, "a size 10 but the
order confirmation says 8".
"""

from __future__ import annotations

import pytest

from logix_rules.intake import ReportKind, classify, default_lexicon

K = ReportKind


def test_the_default_lexicon_is_1_4_0_or_later() -> None:
    # 1.5.0 keeps every expectation below (test_intake_generalization_1_5.py)
    name, _, version = default_lexicon().label.partition("@")
    assert name == "default"
    assert tuple(int(p) for p in version.split(".")) >= (1, 4, 0)


def test_the_more_spelled_out_term_wins_on_the_same_words() -> None:
    # "recusei" is refused (pt recus*), not received (fr reçu*) negated by "não"
    result = classify("Diz que eu recusei, mas eu não recusei nada")
    assert result.kinds == (K.REFUSED,)
    # "depuis quelques jours" (a vague, weak duration) over "depuis # jours"
    spans = [s.term for s in classify("bloqué depuis quelques jours").evidence]
    assert "depuis quelques jours" in spans
    assert "depuis # jours" not in spans


def test_a_short_stem_of_another_language_does_not_stand_alone() -> None:
    # French "bris*" (broken) in an English message: a town, not damage
    assert classify("Please deliver to my parents' house in Bristol").kinds == (K.ADDRESS_CHANGE,)
    assert classify("La lampe est brisée").kinds == (K.DAMAGED,)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The parcel didn't arrive on time", {K.DELAYED}),
        ("The parcel didn't arrive", {K.NOT_RECEIVED}),
        ("I haven't received any tracking number", {K.WISMO}),
        ("I haven't received my order", {K.NOT_RECEIVED}),
        ("No recibí la talla que pedí", {K.WRONG_ITEM}),
        ("No recibí el paquete", {K.NOT_RECEIVED}),
    ],
)
def test_a_negated_arrival_reports_its_objects_kind(text: str, expected: set[ReportKind]) -> None:
    assert set(classify(text).kinds) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("O rastreio não atualiza, será que extraviou?", {K.WISMO}),
        ("Meu pacote foi extraviado.", {K.NOT_RECEIVED}),
        ("物流一直不更新，是不是丢了？", {K.WISMO}),
        ("我的包裹丢了，怎么办？", {K.NOT_RECEIVED}),
    ],
)
def test_a_loss_wondered_about_asks_where_the_parcel_is(
    text: str, expected: set[ReportKind]
) -> None:
    assert set(classify(text).kinds) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Meu pedido está parado há dias, o que houve?", {K.WISMO}),
        ("Meu pedido está parado há 3 semanas", {K.DELAYED}),
        ("包裹卡在海关好几天了，现在在哪里？", {K.WISMO}),
        ("包裹卡在海关两个星期了", {K.DELAYED}),
        ("Estou esperando há dias", {K.DELAYED}),
    ],
)
def test_stuck_and_days_without_a_number_are_weak_delay_cues(
    text: str, expected: set[ReportKind]
) -> None:
    assert set(classify(text).kinds) == expected


PROBES_ROUND_9: list[tuple[str, set[ReportKind]]] = [
    ("The tracking says 'refused by recipient' but I never refused anything!", {K.REFUSED}),
    ("Diz que eu recusei a entrega, mas eu não recusei, estava em casa o dia todo", {K.REFUSED}),
    ("Pone que rechacé el paquete pero yo no rechacé nada", {K.REFUSED}),
    (
        "Laut Tracking habe ich die Annahme verweigert, ich habe aber nichts verweigert!",
        {K.REFUSED},
    ),
    ("Le suivi indique 'refusé par le destinataire', je n'ai jamais refusé ce colis", {K.REFUSED}),
    ("物流显示我拒收了，可我根本没有拒收啊", {K.REFUSED}),
    ("Tracking hasn't moved for a while, has it been lost?", {K.WISMO}),
    ("O rastreio não atualiza, será que extraviou?", {K.WISMO}),
    ("El seguimiento no cambia, ¿se habrá perdido?", {K.WISMO}),
    ("Die Sendungsverfolgung ändert sich nicht, ist das Paket verloren gegangen?", {K.WISMO}),
    ("Le suivi ne bouge plus, est-ce que le colis est perdu ?", {K.WISMO}),
    ("物流一直没动静，会不会是丢件了？", {K.WISMO}),
    ("The carrier told me my parcel is lost.", {K.NOT_RECEIVED}),
    ("A transportadora disse que meu pacote foi extraviado.", {K.NOT_RECEIVED}),
    ("快递员说我的包裹丢了。", {K.NOT_RECEIVED}),
    ("Minha encomenda está parada no centro de distribuição há dias, o que aconteceu?", {K.WISMO}),
    ("Mi paquete lleva días parado en el centro logístico, ¿alguien sabe algo?", {K.WISMO}),
    ("Mein Paket liegt seit Tagen im Verteilzentrum, was ist los?", {K.WISMO}),
    ("包裹在转运中心停了好几天了，到底怎么回事？", {K.WISMO}),
    ("My parcel has been stuck at customs for three weeks now.", {K.DELAYED}),
    ("Meu pedido está parado na alfândega faz 3 semanas.", {K.DELAYED}),
    ("Mi pedido lleva tres semanas atascado en aduanas.", {K.DELAYED}),
    ("Mein Paket hängt seit drei Wochen im Zoll fest.", {K.DELAYED}),
    ("Mon colis est bloqué à la douane depuis trois semaines.", {K.DELAYED}),
    ("包裹在海关卡了三个星期了。", {K.DELAYED}),
    ("The parcel didn't arrive on time, it came two days after the party.", {K.DELAYED}),
    ("O pedido não chegou no prazo, chegou uma semana depois.", {K.DELAYED}),
    ("El paquete no llegó a tiempo, llegó tres días tarde.", {K.DELAYED}),
    ("Das Paket ist nicht pünktlich angekommen, sondern drei Tage zu spät.", {K.DELAYED}),
    ("Le colis n'est pas arrivé à temps, il est arrivé avec une semaine de retard.", {K.DELAYED}),
    ("包裹没有按时送到，晚了三天才到。", {K.DELAYED}),
    ("I haven't received any tracking number for my order yet.", {K.WISMO}),
    ("Ainda não recebi o código de rastreio do meu pedido.", {K.WISMO}),
    ("Todavía no he recibido el número de seguimiento de mi pedido.", {K.WISMO}),
    ("Ich habe noch keine Sendungsnummer für meine Bestellung bekommen.", {K.WISMO}),
    ("Je n'ai toujours pas reçu de numéro de suivi pour ma commande.", {K.WISMO}),
    ("我还没收到物流单号，请问发货了吗？", {K.WISMO}),
    ("I didn't receive the colour I ordered, this one is green.", {K.WRONG_ITEM}),
    ("Não recebi o modelo que pedi, veio outro.", {K.WRONG_ITEM}),
    ("No recibí la talla que pedí, me mandaron una L.", {K.WRONG_ITEM}),
    ("Ich habe nicht die bestellte Farbe bekommen, sondern Rot.", {K.WRONG_ITEM}),
    ("Je n'ai pas reçu la bonne taille, c'est du M au lieu du S.", {K.WRONG_ITEM}),
    ("收到的不是我买的颜色，我要的是白色。", {K.WRONG_ITEM}),
    ("It says delivered on Monday but there's nothing here.", {K.NOT_RECEIVED}),
    ("Consta como entregue desde ontem, mas não recebi nada.", {K.NOT_RECEIVED}),
    ("Aparece como entregado pero no me ha llegado nada.", {K.NOT_RECEIVED}),
    ("Laut Tracking zugestellt, aber hier ist nichts angekommen.", {K.NOT_RECEIVED}),
    ("Le colis est marqué livré mais je n'ai rien reçu.", {K.NOT_RECEIVED}),
    ("显示已签收，但是我根本没收到。", {K.NOT_RECEIVED}),
    ("Recebi hoje, mas a caixa veio toda amassada e o copo quebrado.", {K.DAMAGED}),
    ("Ya me llegó, pero falta el cargador.", {K.MISSING_ITEMS}),
    ("Ist heute angekommen, aber leider die falsche Größe.", {K.WRONG_ITEM}),
    ("包裹收到了，可是里面少了一个杯子。", {K.MISSING_ITEMS}),
    ("It was due on Friday and still nothing. Where is it?", {K.NOT_RECEIVED, K.DELAYED, K.WISMO}),
    (
        "Era para chegar sexta e nada até agora. Onde está meu pedido?",
        {K.NOT_RECEIVED, K.DELAYED, K.WISMO},
    ),
    (
        "Die Lieferung war für Freitag angekündigt und ist immer noch nicht da. Wo ist sie?",
        {K.NOT_RECEIVED, K.DELAYED, K.WISMO},
    ),
    ("Is my order still coming? I haven't heard anything.", {K.WISMO}),
    ("A encomenda ainda está a caminho?", {K.WISMO}),
    ("¿El paquete sigue en camino?", {K.WISMO}),
]

PROBES_ROUND_10: list[tuple[str, set[ReportKind]]] = [
    (
        "Order still hasn't shown up after 25 days. Where is it???",
        {K.NOT_RECEIVED, K.DELAYED, K.WISMO},
    ),
    ("My parcel is stuck in customs for over a month now.", {K.DELAYED}),
    ("The tracking has been stuck on 'in transit' since last Tuesday.", {K.WISMO}),
    ("Has my order been lost? No updates since the 3rd.", {K.WISMO}),
    ("The driver said the package was lost in the depot.", {K.NOT_RECEIVED}),
    ("Não recebi nenhuma atualização do rastreio desde sexta.", {K.WISMO}),
    ("Comprei dia 2 e até hoje nada, já se passaram 3 semanas.", {K.NOT_RECEIVED, K.DELAYED}),
    ("Chegou com 5 dias de atraso e a tampa quebrada.", {K.DAMAGED, K.DELAYED}),
    ("Será que meu pacote foi roubado? O rastreio não muda.", {K.WISMO}),
    ("Não recebi a cor que escolhi, veio preto em vez de azul.", {K.WRONG_ITEM}),
    ("El paquete está parado en la aduana desde hace tres semanas.", {K.DELAYED}),
    ("No me llegó a tiempo para el cumpleaños, llegó el lunes.", {K.DELAYED}),
    ("¿Se habrá perdido mi pedido? No hay movimiento desde el día 5.", {K.WISMO}),
    ("No he recibido ningún correo con el número de seguimiento.", {K.WISMO}),
    ("Dice entregado pero en mi buzón no había nada.", {K.NOT_RECEIVED}),
    ("Die Ware kam nicht rechtzeitig zum Geburtstag an, erst zwei Tage später.", {K.DELAYED}),
    ("Mein Paket steckt seit zwei Wochen beim Zoll fest.", {K.DELAYED}),
    ("Ist mein Paket verloren gegangen? Seit einer Woche keine Bewegung.", {K.DELAYED, K.WISMO}),
    ("Ich habe die bestellte Größe nicht erhalten, das ist XL statt M.", {K.WRONG_ITEM}),
    ("Laut DHL zugestellt, aber bei mir ist nichts angekommen.", {K.NOT_RECEIVED}),
    ("Le colis n'est pas arrivé à la date prévue, toujours rien.", {K.NOT_RECEIVED, K.DELAYED}),
    ("Est-ce que mon colis a été perdu ? Le suivi ne bouge plus depuis lundi.", {K.WISMO}),
    ("Je n'ai pas reçu le bon modèle, c'est la version 2022.", {K.WRONG_ITEM}),
    ("Mon colis est bloqué à la douane depuis un mois.", {K.DELAYED}),
    ("Je n'ai reçu aucun mail de suivi depuis ma commande.", {K.WISMO}),
    ("快递没有准时到，晚了一个星期。", {K.DELAYED}),
    ("包裹是不是丢了？物流三天没更新了。", {K.DELAYED, K.WISMO}),
    ("快递员说包裹在仓库丢了。", {K.NOT_RECEIVED}),
    ("我收到的不是我订的尺码。", {K.WRONG_ITEM}),
    ("包裹在海关卡了一个多月了。", {K.DELAYED}),
    ("到现在还没收到物流信息，发货了吗？", {K.WISMO}),
    ("物流顯示已簽收，可是我沒有收到任何包裹。", {K.NOT_RECEIVED}),
]

PROBES_ROUND_11: list[tuple[str, set[ReportKind]]] = [
    (
        "Hey, the lamp showed up today but the shade is dented and the bulb isn't included.",
        {K.DAMAGED, K.MISSING_ITEMS},
    ),
    (
        "I'm not at home next week, can you redirect it to my office at 5 Main St?",
        {K.ADDRESS_CHANGE},
    ),
    ("Nothing is damaged, I just got the wrong size. Can I swap it?", {K.WRONG_ITEM}),
    (
        "Not complaining about the speed, it came fast, but one of the two chairs is missing.",
        {K.MISSING_ITEMS},
    ),
    ("Courier left a note saying I refused the delivery. I was home all day!", {K.REFUSED}),
    ("Three weeks and still no parcel. Seriously?", {K.NOT_RECEIVED, K.DELAYED}),
    ("Can you tell me when my order will be shipped?", {K.WISMO}),
    ("Thanks, the replacement arrived and works perfectly.", {K.OTHER}),
    ("The box was wet and the book inside is ruined.", {K.DAMAGED}),
    ("I didn't order this, someone else's name is on the label.", {K.WRONG_ITEM}),
    ("Oi! Meu pedido chegou, mas veio faltando o carregador.", {K.MISSING_ITEMS}),
    ("Vou viajar, dá pra entregar no endereço da minha mãe?", {K.ADDRESS_CHANGE}),
    ("Não veio quebrado não, só que é o modelo errado.", {K.WRONG_ITEM}),
    ("O entregador tentou entregar mas eu recusei porque estava cobrando taxa.", {K.REFUSED}),
    ("Já faz um mês que comprei e nada de chegar 😡", {K.NOT_RECEIVED, K.DELAYED}),
    ("Quando vai ser enviado meu pedido?", {K.WISMO}),
    ("Adorei o produto, chegou tudo certinho!", {K.OTHER}),
    ("O vidro veio trincado e o pacote todo molhado.", {K.DAMAGED}),
    ("Me llegó el pedido pero la pantalla está rota.", {K.DAMAGED}),
    ("¿Puedo cambiar la dirección de entrega a una oficina de correos?", {K.ADDRESS_CHANGE}),
    ("No está dañado, pero me enviaron el color equivocado.", {K.WRONG_ITEM}),
    ("Pedí tres camisetas y solo llegaron dos.", {K.MISSING_ITEMS}),
    ("El repartidor dice que rechacé el paquete, eso es falso.", {K.REFUSED}),
    ("Llevo un mes esperando y nada 😤", {K.NOT_RECEIVED, K.DELAYED}),
    ("¿Cuándo me va a llegar el pedido?", {K.WISMO}),
    ("Todo perfecto, muchas gracias.", {K.OTHER}),
    ("Das Paket kam an, aber die Vase ist zerbrochen.", {K.DAMAGED}),
    ("Bitte liefern Sie an meine Arbeitsadresse statt nach Hause.", {K.ADDRESS_CHANGE}),
    ("Nichts beschädigt, aber es ist der falsche Artikel.", {K.WRONG_ITEM}),
    ("Im Paket fehlte die Fernbedienung.", {K.MISSING_ITEMS}),
    ("Seit drei Wochen warte ich auf mein Paket.", {K.DELAYED}),
    ("Wann wird meine Bestellung verschickt?", {K.WISMO}),
    ("Alles super angekommen, danke!", {K.OTHER}),
    ("Colis reçu mais l'écran est fissuré.", {K.DAMAGED}),
    ("Pouvez-vous livrer en point relais plutôt qu'à domicile ?", {K.ADDRESS_CHANGE}),
    ("Rien de cassé, mais ce n'est pas la bonne couleur.", {K.WRONG_ITEM}),
    ("Il manque une pièce dans le colis.", {K.MISSING_ITEMS}),
    ("J'ai refusé le colis, il était complètement écrasé.", {K.DAMAGED, K.REFUSED}),
    ("Ça fait deux semaines que j'attends, toujours rien.", {K.NOT_RECEIVED, K.DELAYED}),
    ("Quand est-ce que ma commande sera expédiée ?", {K.WISMO}),
    ("Merci, tout est arrivé en bon état.", {K.OTHER}),
    ("包裹收到了，但是屏幕碎了。", {K.DAMAGED}),
    ("能不能改成送到公司地址？", {K.ADDRESS_CHANGE}),
    ("东西没坏，就是发错颜色了。", {K.WRONG_ITEM}),
    ("买了三件只收到两件。", {K.MISSING_ITEMS}),
    ("快递说我拒收了，我根本没拒收！", {K.REFUSED}),
    ("等了一个月了还没到 😤", {K.NOT_RECEIVED, K.DELAYED}),
    ("我的订单什么时候发货？", {K.WISMO}),
    ("收到了，很满意，谢谢！", {K.OTHER}),
    ("東西收到了，可是外箱壓壞了，裡面的杯子也破了。", {K.DAMAGED}),
]

PROBES_ROUND_12: list[tuple[str, set[ReportKind]]] = [
    ("My package has been stuck in Memphis for 9 days.", {K.DELAYED}),
    ("It's been sitting at the post office for days and nobody called me.", {K.DELAYED}),
    ("Please ship to my new place instead: 22 Oak Lane, Leeds.", {K.ADDRESS_CHANGE}),
    ("The shoes are two different sizes!", {K.WRONG_ITEM}),
    ("Where's my stuff? Paid 2 weeks ago.", {K.DELAYED, K.WISMO}),
    ("Meu pacote está parado em São Paulo há 10 dias.", {K.DELAYED}),
    ("Pedi tamanho M e veio G.", {K.WRONG_ITEM}),
    ("Mudei de casa, preciso atualizar o endereço de entrega.", {K.ADDRESS_CHANGE}),
    ("O rastreio diz que está em trânsito desde o dia 3, tá demorando muito.", {K.DELAYED}),
    ("Cadê minha encomenda? Ninguém responde.", {K.WISMO}),
    ("Mi pedido está atascado en Madrid desde hace 12 días.", {K.DELAYED}),
    ("Pedí una funda para iPhone 14 y me mandaron una de Samsung.", {K.WRONG_ITEM}),
    ("Quiero que me lo envíen a la casa de mi hermana, ¿se puede?", {K.ADDRESS_CHANGE}),
    ("El seguimiento dice 'en tránsito' desde hace días, ¿dónde está?", {K.WISMO}),
    ("Mein Paket liegt seit 10 Tagen im Verteilzentrum.", {K.DELAYED}),
    ("Ich habe Größe 42 bestellt und 44 bekommen.", {K.WRONG_ITEM}),
    ("Können Sie das Paket an eine Packstation umleiten?", {K.ADDRESS_CHANGE}),
    ("Die Sendungsverfolgung zeigt seit Tagen 'in Zustellung', wo ist das Paket?", {K.WISMO}),
    ("Mon colis est bloqué à Roissy depuis 10 jours.", {K.DELAYED}),
    ("J'ai commandé du bleu et j'ai reçu du rouge.", {K.WRONG_ITEM}),
    ("Je déménage, pouvez-vous modifier l'adresse de livraison ?", {K.ADDRESS_CHANGE}),
    ("Le suivi n'a pas bougé depuis plusieurs jours, où est mon colis ?", {K.WISMO}),
    ("包裹在广州停了十天了。", {K.DELAYED}),
    ("我买的是黑色，寄来的是白色。", {K.WRONG_ITEM}),
    ("麻烦帮我把收货地址改成上海市浦东新区。", {K.ADDRESS_CHANGE}),
    ("物流好几天没动了，包裹到哪了？", {K.WISMO}),
    ("快遞一直卡在轉運中心，已經十幾天了。", {K.DELAYED}),
]

PROBES_ROUND_13: list[tuple[str, set[ReportKind]]] = [
    ("I'd like to cancel my order please, I found it cheaper elsewhere.", {K.OTHER}),
    ("Can I return the jacket? It fits but I don't like the colour.", {K.OTHER}),
    ("Wow, only 6 weeks for 'express' shipping, amazing service 👏", {K.DELAYED}),
    ("Not only is it late, the box is also crushed.", {K.DAMAGED, K.DELAYED}),
    (
        "The parcel arrived without the manual, and it's the wrong version too.",
        {K.WRONG_ITEM, K.MISSING_ITEMS},
    ),
    ("Got it, thanks. No damage at all this time 🙂", {K.OTHER}),
    ("Did you already send my order? I still have no tracking.", {K.WISMO}),
    (
        "Please don't deliver on Saturday, I won't be home; can it go to the locker on Main St?",
        {K.ADDRESS_CHANGE},
    ),
    ("Meu pedido veio com a caixa rasgada mas o produto está ok.", {K.DAMAGED}),
    ("Quero cancelar a compra, desisti.", {K.OTHER}),
    ("Nossa, super rápido, só 50 dias 🙄", {K.DELAYED}),
    (
        "Recebi, mas não era o que eu comprei, e ainda faltou uma peça.",
        {K.WRONG_ITEM, K.MISSING_ITEMS},
    ),
    (
        "Não tem nada de errado com o produto, só queria saber quando chega o segundo pedido.",
        {K.WISMO},
    ),
    (
        "O carteiro disse que não tinha ninguém em casa, mas eu estava! Cadê meu pacote?",
        {K.NOT_RECEIVED, K.WISMO},
    ),
    ("¿Puedo devolver el producto si no me gusta?", {K.OTHER}),
    ("Genial, tres semanas para un envío 'urgente' 🙃", {K.DELAYED}),
    ("No solo llegó tarde, también vino abollado.", {K.DAMAGED, K.DELAYED}),
    ("Me falta un tornillo y la caja vino mojada.", {K.DAMAGED, K.MISSING_ITEMS}),
    ("El paquete dice entregado, pero no lo tengo. ¿Qué hago?", {K.NOT_RECEIVED}),
    ("Ich möchte die Bestellung stornieren.", {K.OTHER}),
    ("Super, nur vier Wochen Lieferzeit für Expressversand 👍", {K.DELAYED}),
    ("Nicht nur zu spät, sondern auch noch kaputt.", {K.DAMAGED, K.DELAYED}),
    ("Der Karton war heil, aber das Glas drinnen ist gesprungen.", {K.DAMAGED}),
    ("Bitte nicht beim Nachbarn abgeben, sondern in die Packstation 123.", {K.ADDRESS_CHANGE}),
    ("Je voudrais annuler ma commande.", {K.OTHER}),
    ("Bravo, trois semaines pour une livraison express 👏", {K.DELAYED}),
    ("Non seulement en retard, mais en plus abîmé.", {K.DAMAGED, K.DELAYED}),
    (
        "Le livreur dit que personne n'était là, c'est faux, j'étais chez moi. Où est mon colis ?",
        {K.NOT_RECEIVED, K.WISMO},
    ),
    ("Il y a une erreur de taille et il manque la ceinture.", {K.WRONG_ITEM, K.MISSING_ITEMS}),
    ("我想取消订单。", {K.OTHER}),
    ("真快啊，才一个月就到了 🙄", {K.DELAYED}),
    ("不但晚到了，盒子还压扁了。", {K.DAMAGED, K.DELAYED}),
    ("颜色发错了，而且少了一个配件。", {K.WRONG_ITEM, K.MISSING_ITEMS}),
    ("快递员说家里没人，可我一直在家！我的包裹呢？", {K.NOT_RECEIVED, K.WISMO}),
    ("東西沒有壞，只是想問一下另一個訂單什麼時候到？", {K.WISMO}),
]

PROBES_ROUND_14: list[tuple[str, set[ReportKind]]] = [
    (
        "Dear team, I am writing regarding order 55120. The item was supposed to arrive on the 12th; it is now the 20th and there is no sign of it. Kindly advise.",
        {K.NOT_RECEIVED, K.DELAYED, K.WISMO},
    ),
    ("yo where's my hoodie lol, been like a month", {K.DELAYED, K.WISMO}),
    ("the mug came in 3 pieces 😭", {K.DAMAGED}),
    ("Could you deliver to the back door instead? The front gate is locked.", {K.ADDRESS_CHANGE}),
    ("The courier wanted me to pay $20 extra so I sent him away.", {K.REFUSED}),
    (
        "Prezados, o pedido 8812 consta como entregue, porém não foi recebido por ninguém aqui. Aguardo retorno.",
        {K.NOT_RECEIVED},
    ),
    ("mano cadê meu tênis kkkk já faz 3 semanas", {K.DELAYED, K.WISMO}),
    ("a tela veio toda riscada", {K.DAMAGED}),
    ("mandaram uma capinha de outro modelo de celular", {K.WRONG_ITEM}),
    ("Dá pra deixar na portaria do prédio em vez de entregar no apartamento?", {K.ADDRESS_CHANGE}),
    ("Estimados, el pedido llegó incompleto: faltan dos de las cuatro sillas.", {K.MISSING_ITEMS}),
    ("oye y mi paquete q onda? ya pasaron 2 semanas", {K.DELAYED, K.WISMO}),
    ("el vaso llegó hecho añicos", {K.DAMAGED}),
    ("No acepté el paquete porque venía abierto y mojado.", {K.DAMAGED, K.REFUSED}),
    (
        "Sehr geehrte Damen und Herren, leider fehlt in meiner Lieferung der zweite Band.",
        {K.MISSING_ITEMS},
    ),
    ("wo bleibt mein zeug?? seit 3 wochen nix", {K.NOT_RECEIVED, K.DELAYED, K.WISMO}),
    ("Die Lampe ist total verbogen angekommen.", {K.DAMAGED}),
    (
        "Bitte stellen Sie die Sendung an meine neue Adresse zu: Hauptstr. 5, Köln.",
        {K.ADDRESS_CHANGE},
    ),
    ("Madame, Monsieur, le colis indiqué comme livré ne m'est jamais parvenu.", {K.NOT_RECEIVED}),
    ("il est où mon colis là ?? ça fait 3 semaines", {K.DELAYED, K.WISMO}),
    ("le vase est arrivé en mille morceaux", {K.DAMAGED}),
    ("vous m'avez envoyé une coque pour un autre modèle", {K.WRONG_ITEM}),
    ("您好，我的订单显示已送达，但我并没有收到，请核实。", {K.NOT_RECEIVED}),
    ("我的快递到底在哪啊，都半个月了", {K.DELAYED, K.WISMO}),
    ("杯子碎成好几块了 😭", {K.DAMAGED}),
    ("你们发的是别人的包裹吧，里面的东西不是我买的", {K.WRONG_ITEM}),
    ("可以放到小区门口的丰巢柜吗？", {K.ADDRESS_CHANGE}),
    ("快递员让我付运费，我就没要。", {K.REFUSED}),
    ("請問我的包裹現在到哪裡了？已經等了兩個星期。", {K.DELAYED, K.WISMO}),
]

PROBES_ROUND_15: list[tuple[str, set[ReportKind]]] = [
    ("The seal on the bottle was broken and half of it leaked out.", {K.DAMAGED}),
    ("Ordered a pack of 6, only 4 inside.", {K.MISSING_ITEMS}),
    ("It's been 2 weeks. Is it even coming?", {K.DELAYED, K.WISMO}),
    (
        "I'm not disputing the delay, I just need the parcel sent to my parents' place now.",
        {K.ADDRESS_CHANGE},
    ),
    ("Tracking number LX482916375CN doesn't show anything on the website.", {K.WISMO}),
    ("Your driver marked it as 'customer refused'. I refused nothing.", {K.REFUSED}),
    ("A caixa chegou vazia!!", {K.MISSING_ITEMS}),
    ("Paguei por 3 e só recebi 1.", {K.MISSING_ITEMS}),
    ("Ainda não saiu do centro de distribuição? Comprei semana passada.", {K.WISMO}),
    ("Troquei de endereço, podem mandar para Rua das Flores 120?", {K.ADDRESS_CHANGE}),
    ("La caja venía vacía, solo había papel.", {K.MISSING_ITEMS}),
    ("El número de seguimiento no funciona en la web de Correos.", {K.WISMO}),
    ("¿Pueden enviarlo a mi trabajo en vez de a mi casa?", {K.ADDRESS_CHANGE}),
    ("No me lo entregaron y ahora aparece 'devuelto al remitente'.", {K.NOT_RECEIVED}),
    ("Das Display hat einen Riss.", {K.DAMAGED}),
    ("Es war nur ein Schuh im Karton.", {K.MISSING_ITEMS}),
    ("Die Trackingnummer funktioniert nicht.", {K.WISMO}),
    ("Ich verweigere die Annahme, wenn Zoll verlangt wird.", {K.REFUSED}),
    ("Le flacon a fui dans le carton.", {K.DAMAGED}),
    ("On m'a livré la commande de quelqu'un d'autre.", {K.WRONG_ITEM}),
    ("Mon numéro de suivi ne donne aucun résultat.", {K.WISMO}),
    ("Pouvez-vous plutôt livrer chez ma voisine au 12 ?", {K.ADDRESS_CHANGE}),
    ("盒子是空的，什么都没有！", {K.MISSING_ITEMS}),
    ("单号查不到任何信息。", {K.WISMO}),
    ("手机屏幕有裂痕。", {K.DAMAGED}),
    ("寄错了，这不是我买的型号。", {K.WRONG_ITEM}),
    ("我不在家，能改到下周送吗？还是放驿站吧。", {K.ADDRESS_CHANGE}),
    ("显示退回了，我根本没拒收啊！", {K.REFUSED}),
]

PROBES_ROUND_16: list[tuple[str, set[ReportKind]]] = [
    (
        "Hi, order #773120 — the parcel 1Z999AA10123456784 came yesterday, the frame is cracked and the hanging kit is missing. Pics attached.",
        {K.DAMAGED, K.MISSING_ITEMS},
    ),
    ("Still waiting on my order from March. What is going on?!", {K.DELAYED, K.WISMO}),
    (
        "I never signed for this package, but tracking says it was signed for by 'J'.",
        {K.NOT_RECEIVED},
    ),
    (
        "Can you change the address to my sister's? Also, when will it ship?",
        {K.ADDRESS_CHANGE, K.WISMO},
    ),
    ("Recebi o pedido errado e ainda veio amassado 😤", {K.DAMAGED, K.WRONG_ITEM}),
    ("Meu pedido tá atrasado e o rastreio não atualiza desde segunda.", {K.DELAYED, K.WISMO}),
    (
        "Gostaria de alterar o endereço para a casa da minha avó, o pedido ainda não saiu né?",
        {K.ADDRESS_CHANGE, K.WISMO},
    ),
    ("Recusei a encomenda porque a embalagem estava destruída.", {K.DAMAGED, K.REFUSED}),
    ("Hola, mi pedido ya va tarde y no sé dónde está.", {K.DELAYED, K.WISMO}),
    ("El repartidor lo dejó en otra dirección y nadie lo tiene.", {K.NOT_RECEIVED}),
    ("Paket ist beschädigt angekommen und ein Teil fehlt.", {K.DAMAGED, K.MISSING_ITEMS}),
    ("Die Lieferung ist überfällig, wo ist mein Paket?", {K.DELAYED, K.WISMO}),
    ("Falsche Farbe geliefert, bitte umtauschen.", {K.WRONG_ITEM}),
    ("Ma commande a du retard et je ne sais pas où elle est.", {K.DELAYED, K.WISMO}),
    ("Ce n'est pas ma commande, je n'ai jamais commandé ça.", {K.WRONG_ITEM}),
    ("包裹到了，但是东西坏了，还少了一个。", {K.DAMAGED, K.MISSING_ITEMS}),
    ("物流延误这么久，现在到底在哪？", {K.DELAYED, K.WISMO}),
    ("发错货了，颜色和尺码都不对。", {K.WRONG_ITEM}),
    ("我要改地址，另外请问什么时候发货？", {K.ADDRESS_CHANGE, K.WISMO}),
    ("Oi, meu pedido chegou perfeito, obrigado! Só queria a nota fiscal.", {K.OTHER}),
    ("Danke für die schnelle Lieferung! Kann ich noch eine zweite bestellen?", {K.OTHER}),
    ("Merci ! Le colis est bien arrivé, rien à signaler.", {K.OTHER}),
]

PROBES_ROUND_17: list[tuple[str, set[ReportKind]]] = [
    ("pacote chegou todo amassdo e a caixa rasgda", {K.DAMAGED}),
    ("the parcle never arived, checked evrywhere", {K.NOT_RECEIVED}),
    ("Ｍｙ ｏｒｄｅｒ ｉｓ ｌａｔｅ", {K.DELAYED}),
    ("Hola, my package says entregado but nothing here 😕", {K.NOT_RECEIVED}),
    ("Bonjour, I received the wrong size, je voulais un M.", {K.WRONG_ITEM}),
    ("我的包裹 LX123456785CN 到底到哪了？already 3 weeks!!", {K.DELAYED, K.WISMO}),
    ("快遞盒子爛了，裡面的東西也摔壞了", {K.DAMAGED}),
    ("訂單裡少了一件外套", {K.MISSING_ITEMS}),
    ("我要把地址改成台北市信義區松仁路100號", {K.ADDRESS_CHANGE}),
    ("送錯了，這不是我訂的東西", {K.WRONG_ITEM}),
    ("Tolle Leistung, schon der dritte Monat ohne Paket 🙄", {K.NOT_RECEIVED, K.DELAYED}),
    ("Que maravilha, meu pedido fazendo turismo pelo Brasil há um mês 🙃", {K.DELAYED}),
    ("Qué eficiencia, mi paquete lleva más viajes que yo 🙄 ya van 5 semanas", {K.DELAYED}),
    ("Super, encore une semaine de plus, merci pour rien 🙄", {K.DELAYED}),
    ("太棒了，又要多等一周 🙄", {K.DELAYED}),
    ("Cheers for the 'next day' delivery that took a fortnight", {K.DELAYED}),
    (
        "I'm not sure if this is the right place to ask but I got two of the same item and not the one I ordered",
        {K.WRONG_ITEM},
    ),
    ("No issue with the delivery, just want to know if I can pay by invoice", {K.OTHER}),
    ("Nada de errado, só queria agradecer pelo atendimento!", {K.OTHER}),
    ("Sin problemas con el envío, ¿tienen más colores?", {K.OTHER}),
    ("Kein Problem mit der Lieferung, aber kann ich noch was dazubestellen?", {K.OTHER}),
    ("Aucun problème de livraison, je voulais juste une facture.", {K.OTHER}),
    ("快递没问题，就是想问能不能开发票。", {K.OTHER}),
]

PROBES_ROUND_18: list[tuple[str, set[ReportKind]]] = [
    ("Delivered on time and well packed, thank you!", {K.OTHER}),
    ("I received it yesterday but I'd like to return it, it's too small for my taste.", {K.OTHER}),
    ("The tracking works now, never mind my last message.", {K.OTHER}),
    ("Is it possible to get it delivered to my office instead of my flat?", {K.ADDRESS_CHANGE}),
    ("The street name on the label is misspelled, it should be Kingsley Road.", {K.ADDRESS_CHANGE}),
    ("This isn't the phone case I picked, mine had flowers on it.", {K.WRONG_ITEM}),
    ("Chegou certinho no prazo, obrigada!", {K.OTHER}),
    ("Recebi ontem, mas quero devolver porque não gostei.", {K.OTHER}),
    ("Coloquei o número da casa errado, é 45 e não 54.", {K.ADDRESS_CHANGE}),
    ("Essa não é a cor que eu escolhi no site.", {K.WRONG_ITEM}),
    ("Llegó a tiempo y en perfecto estado, gracias.", {K.OTHER}),
    ("Me equivoqué de código postal, es 28014.", {K.ADDRESS_CHANGE}),
    ("Esta no es la mochila que compré, la mía era azul.", {K.WRONG_ITEM}),
    ("Pünktlich angekommen, alles bestens.", {K.OTHER}),
    ("Ich habe mich bei der Hausnummer vertippt, richtig ist 17.", {K.ADDRESS_CHANGE}),
    ("Das ist nicht die Jacke, die ich bestellt habe.", {K.WRONG_ITEM}),
    ("Arrivé à l'heure, impeccable, merci.", {K.OTHER}),
    ("Je me suis trompé de code postal, c'est 75011.", {K.ADDRESS_CHANGE}),
    ("Ce n'est pas le sac que j'ai commandé.", {K.WRONG_ITEM}),
    ("按时送到了，包装也很好，谢谢。", {K.OTHER}),
    ("门牌号写错了，应该是12号。", {K.ADDRESS_CHANGE}),
    ("这不是我拍的那款，我要的是带拉链的。", {K.WRONG_ITEM}),
]

PROBES_ROUND_19: list[tuple[str, set[ReportKind]]] = [
    (
        "Package is 10 days late and when it finally came the lid was cracked.",
        {K.DAMAGED, K.DELAYED},
    ),
    (
        "I refused the parcel because it was the wrong item, please send the right one.",
        {K.WRONG_ITEM, K.REFUSED},
    ),
    ("Two of the five candles are missing and one is broken.", {K.DAMAGED, K.MISSING_ITEMS}),
    (
        "Where is my order? Also I need to change the delivery address to 8 Hill Rd.",
        {K.ADDRESS_CHANGE, K.WISMO},
    ),
    ("It's not broken, it's not missing anything, it's just not what I ordered.", {K.WRONG_ITEM}),
    ("O pedido atrasou duas semanas e quando chegou faltava o cabo.", {K.DELAYED, K.MISSING_ITEMS}),
    ("Não recusei nada, e até agora não recebi meu pacote.", {K.NOT_RECEIVED, K.REFUSED}),
    ("Chegou a camiseta errada e ainda por cima rasgada.", {K.DAMAGED, K.WRONG_ITEM}),
    ("Quiero cambiar la dirección y saber cuándo llega.", {K.ADDRESS_CHANGE, K.WISMO}),
    ("El paquete llegó con dos semanas de retraso y la caja rota.", {K.DAMAGED, K.DELAYED}),
    ("No está roto ni le falta nada, pero no es el modelo que pedí.", {K.WRONG_ITEM}),
    ("Die Lieferung kam eine Woche zu spät und der Inhalt war nass.", {K.DAMAGED, K.DELAYED}),
    (
        "Ich habe das Paket nicht verweigert, trotzdem ging es zurück und ich habe nichts bekommen.",
        {K.NOT_RECEIVED, K.REFUSED},
    ),
    ("Falscher Artikel und dazu fehlt die Anleitung.", {K.WRONG_ITEM, K.MISSING_ITEMS}),
    (
        "Le colis est arrivé avec dix jours de retard et il manquait un article.",
        {K.DELAYED, K.MISSING_ITEMS},
    ),
    ("Je n'ai rien refusé et je n'ai toujours pas mon colis.", {K.NOT_RECEIVED, K.REFUSED}),
    ("Pas cassé, rien ne manque, mais c'est la mauvaise couleur.", {K.WRONG_ITEM}),
    ("晚了十天才到，而且盒子压坏了。", {K.DAMAGED, K.DELAYED}),
    ("我没有拒收，可到现在也没收到包裹。", {K.NOT_RECEIVED, K.REFUSED}),
    ("没坏也没少，就是颜色不对。", {K.WRONG_ITEM}),
    ("少了两个零件，还有一个是坏的。", {K.DAMAGED, K.MISSING_ITEMS}),
    ("包裹到哪了？另外我想改一下收货地址。", {K.ADDRESS_CHANGE, K.WISMO}),
]

PROBES_ROUND_20: list[tuple[str, set[ReportKind]]] = [
    ("我的快递怎么还没到啊，都十天了", {K.NOT_RECEIVED, K.DELAYED}),
    ("請問包裹寄出了嗎？", {K.WISMO}),
    ("物流一直顯示運輸中，一個禮拜沒動了", {K.DELAYED, K.WISMO}),
    ("商品外包裝破了，但東西沒事", {K.DAMAGED}),
    ("不是说三天到吗？现在都一个星期了", {K.DELAYED}),
    ("快递员把包裹放错地方了，我找不到", {K.NOT_RECEIVED}),
    ("能不能帮我改成自提？", {K.ADDRESS_CHANGE}),
    ("衣服尺码发错了，我要的是L", {K.WRONG_ITEM}),
    ("说明书和充电线都没有", {K.MISSING_ITEMS}),
    ("快递到了我没要，直接退回了", {K.REFUSED}),
    ("谢谢，东西很好，下次还来买", {K.OTHER}),
    ("显示派送中好几天了，到底什么时候送？", {K.WISMO}),
    ("gente, cadê meu pedido?? comprei faz 20 dias", {K.DELAYED, K.WISMO}),
    ("veio tudo quebrado, que decepção", {K.DAMAGED}),
    ("o entregador nem tocou a campainha e marcou como 'destinatário ausente'", {K.NOT_RECEIVED}),
    ("troquei de apê, dá pra mudar o endereço?", {K.ADDRESS_CHANGE}),
    ("mandaram o tamanho errado de novo 🤦", {K.WRONG_ITEM}),
    ("o rastreio tá parado há uma semana", {K.DELAYED, K.WISMO}),
    ("recusei pq tava cobrando imposto", {K.REFUSED}),
    ("já chegou? aqui não apareceu nada ainda", {K.NOT_RECEIVED, K.WISMO}),
    ("tudo certo com a entrega, valeu!", {K.OTHER}),
]

PROBES_ROUND_21: list[tuple[str, set[ReportKind]]] = [
    ("oye, el paquete nunca llegó y ya me cobraron 😡", {K.NOT_RECEIVED}),
    ("me mandaron unas zapatillas de otra marca", {K.WRONG_ITEM}),
    ("¿me lo pueden dejar en el punto de recogida de la esquina?", {K.ADDRESS_CHANGE}),
    ("no lo quise recibir porque la caja estaba hecha polvo", {K.DAMAGED, K.REFUSED}),
    ("Paket ist Schrott angekommen, total zerdrückt", {K.DAMAGED}),
    ("Hab das falsche Teil gekriegt, bestellt war das große Modell", {K.WRONG_ITEM}),
    ("Wo steckt mein Paket? Bestellt vor 2 Wochen.", {K.DELAYED, K.WISMO}),
    ("Kann der Bote das bei meinem Nachbarn abgeben statt bei mir?", {K.ADDRESS_CHANGE}),
    ("Es fehlen zwei Schrauben und die Anleitung.", {K.MISSING_ITEMS}),
    (
        "Der Fahrer hat das Paket einfach vor die Tür gelegt, und jetzt ist es weg.",
        {K.NOT_RECEIVED},
    ),
    ("colis reçu, mais le produit ne s'allume pas", {K.DAMAGED}),
    ("je me suis trompé d'adresse, c'est au 14 rue Victor Hugo", {K.ADDRESS_CHANGE}),
    ("le livreur a laissé le colis devant la porte et il a disparu", {K.NOT_RECEIVED}),
    ("c'est quoi ce délai ? commande passée il y a un mois !", {K.DELAYED}),
    ("il manque la moitié de la commande", {K.MISSING_ITEMS}),
    ("on m'a envoyé du 38 au lieu du 40", {K.WRONG_ITEM}),
    ("the courier threw the parcel over the fence and now the screen is cracked", {K.DAMAGED}),
    ("left on the porch and stolen within an hour", {K.NOT_RECEIVED}),
    ("any chance you can hold it at the depot? I'll collect it Monday", {K.ADDRESS_CHANGE}),
    ("ordered 3 got 2", {K.MISSING_ITEMS}),
]

PROBES_ROUND_22: list[tuple[str, set[ReportKind]]] = [
    (
        "The box arrived soaked and the labels were unreadable, but everything inside is fine.",
        {K.DAMAGED},
    ),
    (
        "I changed my mind about the delivery address — please send it to 9 Park Ave instead.",
        {K.ADDRESS_CHANGE},
    ),
    ("Only the charger came, the laptop itself is not in the box.", {K.MISSING_ITEMS}),
    ("Olá, o produto chegou com defeito, não liga.", {K.DAMAGED}),
    ("Ainda não recebi e o prazo já venceu faz dias.", {K.NOT_RECEIVED, K.DELAYED}),
    ("Vocês mandaram o pedido de outra pessoa, com outro nome na etiqueta.", {K.WRONG_ITEM}),
    ("Hola, el paquete figura como devuelto pero yo nunca lo rechacé.", {K.REFUSED}),
    ("Me llegó el pedido de otra persona.", {K.WRONG_ITEM}),
    ("Quisiera saber el estado de mi envío, gracias.", {K.WISMO}),
    (
        "Die Sendung wurde laut Tracking an den Absender zurückgeschickt, obwohl ich sie nie abgelehnt habe.",
        {K.REFUSED},
    ),
    ("Die Packung war aufgerissen und zwei Teile fehlten.", {K.DAMAGED, K.MISSING_ITEMS}),
    ("Ich würde gerne die Lieferadresse ändern, geht das noch?", {K.ADDRESS_CHANGE}),
    ("Bonjour, pourriez-vous me dire où en est ma commande ?", {K.WISMO}),
    ("La commande est arrivée, mais c'est celle de quelqu'un d'autre.", {K.WRONG_ITEM}),
    ("Colis retourné à l'expéditeur alors que je n'ai rien refusé !", {K.REFUSED}),
    ("您好，包裹显示退回，但我并没有拒收。", {K.REFUSED}),
    ("收到的是别人的快递。", {K.WRONG_ITEM}),
    ("請幫我查一下包裹的物流狀態，謝謝。", {K.WISMO}),
]

PROBES_ROUND_23: list[tuple[str, set[ReportKind]]] = [
    ("This is a completely different product from the listing.", {K.WRONG_ITEM}),
    ("The package had a stranger's order in it, not mine.", {K.WRONG_ITEM}),
    ("Could the courier leave it at the pharmacy next door instead?", {K.ADDRESS_CHANGE}),
    ("I'll be on holiday, please deliver to my parents' house in Bristol.", {K.ADDRESS_CHANGE}),
    ("Recebi um produto totalmente diferente do anúncio.", {K.WRONG_ITEM}),
    ("No pacote veio um pedido de outra pessoa.", {K.WRONG_ITEM}),
    ("Pode entregar no meu trabalho em vez de em casa?", {K.ADDRESS_CHANGE}),
    ("Me mandaron un modelo distinto al que aparece en la web.", {K.WRONG_ITEM}),
    ("¿Pueden mandarlo a otra dirección? Me mudé la semana pasada.", {K.ADDRESS_CHANGE}),
    (
        "Das gelieferte Produkt entspricht nicht der Beschreibung, völlig anderes Modell.",
        {K.WRONG_ITEM},
    ),
    ("Bitte an die Firmenadresse liefern, nicht nach Hause.", {K.ADDRESS_CHANGE}),
    ("Ce n'est pas du tout le produit de l'annonce.", {K.WRONG_ITEM}),
    ("Vous pouvez le livrer à mon travail plutôt ?", {K.ADDRESS_CHANGE}),
    ("收到的东西和图片完全不一样。", {K.WRONG_ITEM}),
    ("我搬家了，麻烦寄到新地址。", {K.ADDRESS_CHANGE}),
    ("能不能送到我公司，不要送家里。", {K.ADDRESS_CHANGE}),
    ("發來的型號跟我下單的不一樣。", {K.WRONG_ITEM}),
]

PROBES = (
    PROBES_ROUND_9
    + PROBES_ROUND_10
    + PROBES_ROUND_11
    + PROBES_ROUND_12
    + PROBES_ROUND_13
    + PROBES_ROUND_14
    + PROBES_ROUND_15
    + PROBES_ROUND_16
    + PROBES_ROUND_17
    + PROBES_ROUND_18
    + PROBES_ROUND_19
    + PROBES_ROUND_20
    + PROBES_ROUND_21
    + PROBES_ROUND_22
    + PROBES_ROUND_23
)


# Until intake-model 6 the model's decision added a kind to two probes, which were held
# to it: "ordered 3 got 2" (wrong_item at 0.51 beside the lexicon's missing_items, tenth
# to thirteenth sessions) and, with intake-model 3 only, "O rastreio diz que está em
# trânsito desde o dia 3, tá demorando muito." (wismo 0.56).  intake-model 7 (fourteenth
# session) reports exactly their kinds, so every probe is held to them with the model.


@pytest.mark.parametrize(("text", "expected"), PROBES)
def test_probe_messages(text: str, expected: set[ReportKind]) -> None:
    assert set(classify(text).kinds) == expected
