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
  duration they are.

``PROBES_ROUND_9`` were written (63, six languages) before any 1.4.0 rule change for
them; 1.3.0 got 27 of them exactly right.  ``PROBES_ROUND_10`` (33) were written after
the round-9 changes and before any change for them; on first sight 23 were exactly
right.  Both rounds' misses then went into the lexicon, so they are development data
now: the ones 1.4.0 gets right are kept as exact expectations (4 of round 9 and 1 of
round 10 are still wrong and left out: sitting or blocked "for days" alone, a refusal
told as "not signed for", "didn't get it on time" with the negation far from "on
time").
"""

from __future__ import annotations

import pytest

from logix_rules.intake import ReportKind, classify, default_lexicon

K = ReportKind


def test_the_default_lexicon_is_1_4_0() -> None:
    assert default_lexicon().label == "default@1.4.0"


def test_the_more_spelled_out_term_wins_on_the_same_words() -> None:
    # "recusei" is refused (pt recus*), not received (fr reçu*) negated by "não"
    result = classify("Diz que eu recusei, mas eu não recusei nada")
    assert result.kinds == (K.REFUSED,)
    # "depuis quelques jours" (a vague, weak duration) over "depuis # jours"
    spans = [s.term for s in classify("bloqué depuis quelques jours").evidence]
    assert "depuis quelques jours" in spans
    assert "depuis # jours" not in spans


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


@pytest.mark.parametrize(("text", "expected"), PROBES_ROUND_9 + PROBES_ROUND_10)
def test_probe_messages(text: str, expected: set[ReportKind]) -> None:
    assert set(classify(text).kinds) == expected
