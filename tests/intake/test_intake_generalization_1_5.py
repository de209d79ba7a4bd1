"""Lexicon 1.5.0's rules, and the probe messages written while it was built.

1.5.0 set out to find the kinds 1.4.0 missed on heldout4 (32 missed against 11 extra;
11 messages that report something came out ``other``).  heldout4 had been measured
once and was then read, but each failure was fixed as a family of wordings in the six
languages, not as its own phrase: before each change a probe round of that family in
other wordings was written and run on 1.4.0 (exact kind sets at first sight):

- round 24 (41 messages: a tracking status frozen on one scan, a parcel held at
  customs with "what do I need to do?", a delivery date pushed back, "N days after the
  promised date", "instead of X there was Y", fewer than ordered and a different one,
  "but no X in the box", Cantonese, Portuguese texting abbreviations, an empty
  doorstep): 6 of 41 on 1.4.0, 40 on 1.5.0;
- round 25 (21: a refusal told as "did not sign for it" and sending it back, "send it
  to the locker instead of my house", "ordered X, got Y" across a comma, "didn't get
  it in time"): 8 of 21 on 1.4.0, 21 on 1.5.0;
- round 26 (12: where-questions with a word between "where" and "is", a tracking that
  stopped, "delivered at the pickup point / locker" with nothing there): 2 of 12
  on 1.4.0, 11 on 1.5.0;
- round 27 (8: a duration after "nothing", "não mostra nada há 6 dias", "n'affiche
  rien depuis 6 jours", which 1.4.0 read as a negated duration): 5 of 8 on
  1.4.0, 7 on 1.5.0;
- round 28 (19: an item vanished from the box, "ordered 5, got 3" across a comma,
  "resend it to", "sent to a locker instead of my flat"): 8 of 19 on 1.4.0,
  17 on 1.5.0;
- round 29 (10: "tried a different bulb" and French "parce que", which 1.4.0 read
  as a wrong item and as "percé"; an order date and "nothing to this day"; Cantonese
  "a whole month"): 0 of 10 on 1.4.0, 5 on 1.5.0.

Over the six rounds 29 of 111 on 1.4.0, 101 on 1.5.0; the
expectations below are the ones 1.5.0 gets right.  Left out, still wrong:

- "Ordered 6 candles, got 4." and "J'ai commandé 4 bols, j'en ai reçu 2": "ordered #,
  got #" also reads a wrong size ("I ordered 42, I got 40"), and "une" is a number
  ("commandé une robe, reçu un pantalon");
- "Tracking hasn't shown anything new in 9 days": no delay, as "in # days" also reads
  "arrived in 2 days" (and heldout3 labels "hasn't updated in 6 days, is it lost?" a
  question about whereabouts only);
- "sur 6 assiettes j'en ai que 5, et une est bleue au lieu de blanche": the colour swap
  after "au lieu de" is too weak;
- "O rastreio parou faz tempo. Onde ele está agora?" and "le suivi est bloqué depuis 3
  semaines": 1.5.0 adds a delay, and a question about whereabouts, that the probes'
  labels did not count; arguably the labels are wrong;
- "Livré selon vous, mais je n'ai rien parce que personne n'est passé" (no term),
  "Comprei dia 2 ... e até hoje não chegou nada" (``comprei .. chegou``, a wrong item,
  spans it all), "Am 2. Oktober bestellt und bis heute nicht angekommen" (the date's
  words come between).
"""

from __future__ import annotations

import pytest

from logix_rules.intake import ReportKind, classify, default_lexicon

K = ReportKind


def test_the_default_lexicon_is_1_5_0_or_later() -> None:
    # 1.6.0 keeps every expectation below (test_intake_generalization_1_6.py)
    name, _, version = default_lexicon().label.partition("@")
    assert name == "default"
    assert tuple(int(p) for p in version.split(".")) >= (1, 5, 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("話咗送到，但我冇收到件貨", {K.NOT_RECEIVED}),
        ("盒入面少咗一條線", {K.MISSING_ITEMS}),
        ("部手機開唔到機", {K.DAMAGED}),
    ],
)
def test_cantonese_written_forms_fold_onto_mandarin(text: str, expected: set[ReportKind]) -> None:
    assert set(classify(text).kinds) == expected


def test_a_chinese_term_with_a_gap_stays_in_its_sentence() -> None:
    # "没签收...退回": not signing, then sending it back, is a refusal
    assert set(classify("快递到了我没签收，叫他退回去了").kinds) == {K.REFUSED}
    # in two sentences, the gap does not reach: a parcel not signed for, and a return
    assert K.NOT_RECEIVED in classify("我没签收。后来商家说要退回").kinds


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mein Paket liegt beim Zoll.", {K.OTHER}),
        ("Was muss ich jetzt tun?", {K.OTHER}),
        ("Mein Paket liegt beim Zoll, was muss ich jetzt tun?", {K.WISMO}),
        ("My parcel has been stuck at customs for three weeks now.", {K.DELAYED}),
    ],
)
def test_customs_and_what_to_do_are_weak_cues_that_count_together(
    text: str, expected: set[ReportKind]
) -> None:
    # the lexicon's weights (the model's decision reads a weak cue alone as evidence:
    # on new authors' messages it is, docs/intake.md "What it decides")
    assert set(classify(text, model=False).kinds) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Please deliver it to the pickup point instead.", {K.ADDRESS_CHANGE}),
        ("It says delivered to the pickup point but they don't have it.", {K.NOT_RECEIVED}),
        ("显示已经送到驿站了，但是驿站说没有我的包裹。", {K.NOT_RECEIVED}),
    ],
)
def test_delivered_at_a_pickup_point_is_a_status_not_an_address_change(
    text: str, expected: set[ReportKind]
) -> None:
    assert set(classify(text).kinds) == expected


@pytest.mark.parametrize(
    "text",
    ["O rastreio não mostra nada há 6 dias.", "Le suivi n'affiche rien depuis 6 jours."],
)
def test_a_duration_is_not_negated(text: str) -> None:
    result = classify(text)
    assert ReportKind.DELAYED in result.kinds
    assert not any(e.negated for e in result.evidence if e.kind is ReportKind.DELAYED)


def test_no_damage_in_the_box_is_not_a_missing_item() -> None:
    assert classify("No damage in the box at all, thanks").kinds == (K.OTHER,)
    assert classify("Got the shoes but no laces in the box.").kinds == (K.MISSING_ITEMS,)


PROBES_ROUND_24: list[tuple[str, set[ReportKind]]] = [
    ("The tracking has shown the same scan since last Tuesday. Anything you can do?", {K.WISMO}),
    ("Status still says 'in transit' since the 3rd, nothing since.", {K.WISMO}),
    ("O rastreio mostra o mesmo status desde segunda, alguém pode verificar?", {K.WISMO}),
    ("El seguimiento pone 'en reparto' desde el lunes y nada desde entonces.", {K.WISMO}),
    (
        "Die Sendungsverfolgung steht seit Montag auf 'in Zustellung'. Können Sie nachfragen?",
        {K.WISMO},
    ),
    ("Le suivi affiche 'en cours d'acheminement' depuis lundi, plus rien depuis.", {K.WISMO}),
    ("物流一直显示'运输中'，之后就没有任何消息了", {K.WISMO}),
    ("My parcel is held at customs, do I need to do anything?", {K.WISMO}),
    ("Minha encomenda está retida na alfândega, o que eu preciso fazer?", {K.WISMO}),
    ("Mi paquete está retenido en la aduana, ¿tengo que hacer algo?", {K.WISMO}),
    ("Mein Paket liegt beim Zoll, was muss ich jetzt tun?", {K.WISMO}),
    ("Mon colis est retenu à la douane, que dois-je faire ?", {K.WISMO}),
    ("包裹被海关扣了，我需要做什么吗？", {K.WISMO}),
    ("The delivery date got pushed back again, now it's next Friday.", {K.DELAYED}),
    ("Adiaram a entrega de novo, agora só dia 20.", {K.DELAYED}),
    ("Otra vez han pospuesto la entrega, ahora dicen el día 20.", {K.DELAYED}),
    ("Der Liefertermin wurde schon wieder verschoben, jetzt auf den 20.", {K.DELAYED}),
    ("La livraison a encore été repoussée, maintenant au 20.", {K.DELAYED}),
    ("送货日期又推迟了，现在说要20号。", {K.DELAYED}),
    ("It showed up 12 days after the promised date.", {K.DELAYED}),
    ("Chegou 10 dias depois da data prometida.", {K.DELAYED}),
    ("Llegó 10 días después de la fecha prometida.", {K.DELAYED}),
    ("Es kam 10 Tage nach dem zugesagten Termin.", {K.DELAYED}),
    ("Il est arrivé 10 jours après la date promise.", {K.DELAYED}),
    ("Instead of the black charger there was a white one in the box.", {K.WRONG_ITEM}),
    ("Em vez do fone preto veio um branco.", {K.WRONG_ITEM}),
    ("En vez de la funda azul venía una roja.", {K.WRONG_ITEM}),
    ("Statt der schwarzen Hülle lag eine rote im Karton.", {K.WRONG_ITEM}),
    ("Au lieu de la coque noire il y avait une rouge dans le colis.", {K.WRONG_ITEM}),
    ("我买的是黑色的，寄来的却是白色。", {K.WRONG_ITEM}),
    (
        "Ordered 4 mugs, only 3 came and one of them is the wrong colour.",
        {K.MISSING_ITEMS, K.WRONG_ITEM},
    ),
    ("Pedi 3 camisetas, só vieram 2 e uma no tamanho errado.", {K.MISSING_ITEMS, K.WRONG_ITEM}),
    (
        "Von 4 Tassen kamen nur 3, und eine davon in Blau statt Weiß.",
        {K.MISSING_ITEMS, K.WRONG_ITEM},
    ),
    ("J'ai bien reçu le t-shirt mais pas de casquette dans le colis.", {K.MISSING_ITEMS}),
    ("Got the shoes but no laces in the box.", {K.MISSING_ITEMS}),
    ("部手機開唔到機，個mon爛咗", {K.DAMAGED}),
    ("話咗送到，但我冇收到件貨", {K.NOT_RECEIVED}),
    ("盒入面少咗一條線", {K.MISSING_ITEMS}),
    ("disseram q entregaram mas n recebi nd", {K.NOT_RECEIVED}),
    ("Marked as 'delivered', yet my doorstep is empty.", {K.NOT_RECEIVED}),
]

PROBES_ROUND_25: list[tuple[str, set[ReportKind]]] = [
    ("我没签收，直接让快递小哥拿回去了", {K.REFUSED}),
    ("快递到了我没签收，叫他退回去了", {K.REFUSED}),
    ("I didn't sign for it and had the driver take it back.", {K.REFUSED}),
    ("Não assinei o recebimento e mandei de volta com o entregador.", {K.REFUSED}),
    ("No firmé la entrega y se lo devolví al repartidor.", {K.REFUSED}),
    ("Ich habe nicht unterschrieben und das Paket zurückgehen lassen.", {K.REFUSED}),
    ("Je n'ai pas signé, j'ai renvoyé le colis avec le livreur.", {K.REFUSED}),
    ("Could you send it to the pickup point instead of my house?", {K.ADDRESS_CHANGE}),
    ("Can it be delivered to a parcel locker instead of my home address?", {K.ADDRESS_CHANGE}),
    ("Pode mandar para o ponto de retirada em vez da minha casa?", {K.ADDRESS_CHANGE}),
    ("¿Lo pueden enviar al punto de recogida en vez de a mi casa?", {K.ADDRESS_CHANGE}),
    ("Können Sie es an die Packstation statt an meine Wohnung schicken?", {K.ADDRESS_CHANGE}),
    ("Vous pouvez l'envoyer au point relais au lieu de mon domicile ?", {K.ADDRESS_CHANGE}),
    ("Ordered the size 9, got a size 11.", {K.WRONG_ITEM}),
    ("Pedi o azul, recebi o vermelho.", {K.WRONG_ITEM}),
    ("Pedí la talla M, me llegó la XL.", {K.WRONG_ITEM}),
    ("Bestellt habe ich Größe 38, bekommen habe ich 42.", {K.WRONG_ITEM}),
    ("J'ai commandé du 38, j'ai reçu du 42.", {K.WRONG_ITEM}),
    ("We didn't get the parcel in time for the party.", {K.DELAYED}),
    ("Não recebemos a encomenda a tempo para o aniversário.", {K.DELAYED}),
    ("No nos llegó el paquete a tiempo para la boda.", {K.DELAYED}),
]

PROBES_ROUND_26: list[tuple[str, set[ReportKind]]] = [
    ("¿Dónde rayos está mi pedido?", {K.WISMO}),
    ("Wo ist es denn jetzt??", {K.WISMO}),
    ("Où il est passé, mon colis ?", {K.WISMO}),
    ("Meu rastreamento parou de atualizar.", {K.WISMO}),
    ("A encomenda parou no rastreio, onde ela está?", {K.WISMO}),
    ("Says delivered to the pickup point, but the shop says they never got it.", {K.NOT_RECEIVED}),
    ("Consta entregue no ponto de retirada, mas lá não têm nada.", {K.NOT_RECEIVED}),
    ("Aparece entregado en el punto de recogida pero allí no tienen nada.", {K.NOT_RECEIVED}),
    ("Angeblich in der Packstation zugestellt, aber das Fach war leer.", {K.NOT_RECEIVED}),
    ("Livré au point relais soi-disant, mais le commerçant ne l'a pas.", {K.NOT_RECEIVED}),
    ("显示已经送到驿站了，但是驿站说没有我的包裹。", {K.NOT_RECEIVED}),
]

PROBES_ROUND_27: list[tuple[str, set[ReportKind]]] = [
    ("O rastreio não mostra nada há 6 dias.", {K.DELAYED, K.WISMO}),
    ("Le suivi n'affiche rien depuis 6 jours.", {K.DELAYED, K.WISMO}),
    ("El seguimiento no muestra nada hace 8 días.", {K.DELAYED, K.WISMO}),
    ("Die Sendungsverfolgung zeigt nichts an, seit 9 Tagen.", {K.DELAYED, K.WISMO}),
    ("物流没有任何更新已经10天了", {K.DELAYED, K.WISMO}),
    ("Não recebi nenhuma atualização faz 2 semanas.", {K.DELAYED, K.WISMO}),
    ("Je n'ai aucune nouvelle depuis 2 semaines.", {K.DELAYED, K.WISMO}),
]

PROBES_ROUND_28: list[tuple[str, set[ReportKind]]] = [
    ("The charger has disappeared from the box, only the phone was inside.", {K.MISSING_ITEMS}),
    ("O carregador sumiu da caixa, só veio o celular.", {K.MISSING_ITEMS}),
    ("El cargador desapareció de la caja.", {K.MISSING_ITEMS}),
    ("Das Ladekabel ist aus dem Paket verschwunden.", {K.MISSING_ITEMS}),
    ("Le chargeur a disparu du colis.", {K.MISSING_ITEMS}),
    ("箱子里只有手机，充电器不见了", {K.MISSING_ITEMS}),
    ("Pedi 5 capinhas, chegaram 3.", {K.MISSING_ITEMS}),
    ("Pedí 4 vasos, me llegaron 2.", {K.MISSING_ITEMS}),
    ("买了5个杯子，只收到3个。", {K.MISSING_ITEMS}),
    ("Could you resend it to my office at 5 King Street?", {K.ADDRESS_CHANGE}),
    ("Podem reenviar para a casa da minha mãe?", {K.ADDRESS_CHANGE}),
    ("¿Pueden volver a enviarlo a la dirección de mi trabajo?", {K.ADDRESS_CHANGE}),
    ("Können Sie es erneut an meine Büroadresse schicken?", {K.ADDRESS_CHANGE}),
    ("Pouvez-vous le réexpédier à mon bureau ?", {K.ADDRESS_CHANGE}),
    ("能不能重新寄到我公司？", {K.ADDRESS_CHANGE}),
    ("Can you have it sent to a parcel locker instead of my flat?", {K.ADDRESS_CHANGE}),
    ("I'd like it sent to the post office instead of home, I work all day.", {K.ADDRESS_CHANGE}),
]

PROBES_ROUND_29: list[tuple[str, set[ReportKind]]] = [
    ("Ordered on March 2nd and to this day nothing has arrived.", {K.DELAYED, K.NOT_RECEIVED}),
    ("Lo pedí el 2 de octubre y hasta hoy no ha llegado nada.", {K.DELAYED, K.NOT_RECEIVED}),
    (
        "Commandé le 2 octobre et jusqu'à aujourd'hui toujours rien reçu.",
        {K.DELAYED, K.NOT_RECEIVED},
    ),
    ("10月2号下的单，到现在都没收到。", {K.DELAYED, K.NOT_RECEIVED}),
    ("件貨卡咗成個月喺海關", {K.DELAYED}),
]

PROBES = (
    PROBES_ROUND_24
    + PROBES_ROUND_25
    + PROBES_ROUND_26
    + PROBES_ROUND_27
    + PROBES_ROUND_28
    + PROBES_ROUND_29
)


@pytest.mark.parametrize(("text", "expected"), PROBES)
def test_probe_messages(text: str, expected: set[ReportKind]) -> None:
    assert set(classify(text).kinds) == expected
