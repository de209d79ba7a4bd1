"""classify(): kinds per language, negation, several complaints, typos, width, evidence."""

from __future__ import annotations

import pytest

from logix_rules.intake import Classification, MissingField, ReportKind, classify

K = ReportKind


def kinds(text: str, **kwargs: object) -> set[ReportKind]:
    return set(classify(text, **kwargs).kinds)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # one kind per language and kind
        ("The mirror arrived cracked.", {K.DAMAGED}),
        ("O espelho chegou quebrado.", {K.DAMAGED}),
        ("El espejo llegó roto.", {K.DAMAGED}),
        ("Der Spiegel kam zerbrochen an.", {K.DAMAGED}),
        ("Le miroir est arrivé cassé.", {K.DAMAGED}),
        ("镜子到的时候已经碎了", {K.DAMAGED}),
        ("I never received my parcel.", {K.NOT_RECEIVED}),
        ("Não recebi minha encomenda.", {K.NOT_RECEIVED}),
        ("No he recibido mi paquete.", {K.NOT_RECEIVED}),
        ("Ich habe mein Paket nicht erhalten.", {K.NOT_RECEIVED}),
        ("Je n'ai pas reçu mon colis.", {K.NOT_RECEIVED}),
        ("我没收到包裹", {K.NOT_RECEIVED}),
        ("The delivery is late again.", {K.DELAYED}),
        ("A entrega está atrasada.", {K.DELAYED}),
        ("El envío viene con retraso.", {K.DELAYED}),
        ("Die Lieferung ist verspätet.", {K.DELAYED}),
        ("La livraison est en retard.", {K.DELAYED}),
        ("物流延误了", {K.DELAYED}),
        ("You sent me the wrong size.", {K.WRONG_ITEM}),
        ("Veio a cor errada.", {K.WRONG_ITEM}),
        ("Me mandaron la talla equivocada.", {K.WRONG_ITEM}),
        ("Ich habe die falsche Farbe bekommen.", {K.WRONG_ITEM}),
        ("J'ai reçu la mauvaise couleur.", {K.WRONG_ITEM}),
        ("你们发错货了", {K.WRONG_ITEM}),
        ("One of the items is missing.", {K.MISSING_ITEMS}),
        ("Está faltando um item.", {K.MISSING_ITEMS}),
        ("Falta un artículo.", {K.MISSING_ITEMS}),
        ("Ein Artikel fehlt.", {K.MISSING_ITEMS}),
        ("Il manque un article.", {K.MISSING_ITEMS}),
        ("少发了一件", {K.MISSING_ITEMS}),
        ("I refused the parcel at the door.", {K.REFUSED}),
        ("Recusei o pacote.", {K.REFUSED}),
        ("Rechacé el paquete.", {K.REFUSED}),
        ("Ich habe die Annahme verweigert.", {K.REFUSED}),
        ("J'ai refusé le colis.", {K.REFUSED}),
        ("我拒收了", {K.REFUSED}),
        ("Please change the delivery address.", {K.ADDRESS_CHANGE}),
        ("Quero alterar o endereço de entrega.", {K.ADDRESS_CHANGE}),
        ("Quiero cambiar la dirección de envío.", {K.ADDRESS_CHANGE}),
        ("Ich möchte die Lieferadresse ändern.", {K.ADDRESS_CHANGE}),
        ("Je voudrais modifier l'adresse de livraison.", {K.ADDRESS_CHANGE}),
        ("我想修改地址", {K.ADDRESS_CHANGE}),
        ("Where is my parcel?", {K.WISMO}),
        ("Onde está meu pedido?", {K.WISMO}),
        ("¿Dónde está mi pedido?", {K.WISMO}),
        ("Wo ist mein Paket?", {K.WISMO}),
        ("Où est mon colis ?", {K.WISMO}),
        ("我的快递到哪了？", {K.WISMO}),
        ("Do you accept PayPal?", {K.OTHER}),
        ("Vocês aceitam cartão?", {K.OTHER}),
    ],
)
def test_one_kind(text: str, expected: set[ReportKind]) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The box is not damaged.", {K.OTHER}),
        ("Nothing was broken, thanks.", {K.OTHER}),
        ("Não está danificado.", {K.OTHER}),
        ("No está dañado.", {K.OTHER}),
        ("Das Paket ist nicht beschädigt.", {K.OTHER}),
        ("Le colis n'est pas abîmé.", {K.OTHER}),
        ("没有破损", {K.OTHER}),
        ("包裝沒有損壞", {K.OTHER}),  # traditional characters
        # negating one kind leaves the others
        ("Not damaged, but it is the wrong colour.", {K.WRONG_ITEM}),
        ("包装没有破损，但是颜色不对", {K.WRONG_ITEM}),
    ],
)
def test_negation_cancels_the_term(text: str, expected: set[ReportKind]) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize(
    "text",
    ["Não chegou.", "No llegó.", "Ist nicht angekommen.", "N'est pas arrivé.", "还没到", "没收到"],
)
def test_a_negated_arrival_is_not_received_not_a_negated_complaint(text: str) -> None:
    result = classify(text)
    assert result.kinds == (K.NOT_RECEIVED,)
    (span,) = result.evidence
    assert not span.negated
    assert span.text.strip(".") in text


def test_the_negation_of_not_received_does_not_negate_what_follows() -> None:
    assert kinds("Não chegou até agora, já faz 25 dias") == {K.NOT_RECEIVED, K.DELAYED}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Não faltou nada e chegou no prazo", {K.OTHER}),
        ("Não faltou nenhum item e chegou no prazo", {K.OTHER}),
        ("Não veio faltando nada e chegou no prazo", {K.OTHER}),
        ("Não quebrou nada e chegou no prazo", {K.OTHER}),
        ("Não atrasou e chegou no prazo", {K.OTHER}),
        # the negation still reaches an on-time arrival with no "e" in between...
        ("Não chegou no prazo", {K.DELAYED}),
        # ...and what follows the "e" is read on its own
        ("Chegou rápido e não chegou no prazo o segundo", {K.DELAYED}),
    ],
)
def test_a_negation_does_not_reach_an_on_time_arrival_across_e(
    text: str, expected: set[ReportKind]
) -> None:
    # "não ... chegou no prazo" is a delay, but in "não faltou nada e chegou no
    # prazo" the negation is about what was missing: "e" starts another statement.
    assert kinds(text) == expected


def test_a_negation_does_not_reach_an_on_time_arrival_across_and_in_any_language() -> None:
    for text in (
        "Es fehlte nichts und kam pünktlich an",
        "No faltó nada y llegó a tiempo",
        "Nothing was missing and it arrived on time",
    ):
        assert K.DELAYED not in kinds(text), text


def test_several_complaints_in_one_message() -> None:
    result = classify("The mug arrived broken and one of the two coasters is missing.")
    assert set(result.kinds) == {K.DAMAGED, K.MISSING_ITEMS}
    assert result.kind in result.kinds
    assert [k for k, _ in result.scores] == list(result.kinds)
    assert result.confidence == result.scores[0][1]


def test_kinds_are_ordered_by_confidence() -> None:
    result = classify("Broken, smashed, cracked. Also it was late.")
    assert result.kinds == (K.DAMAGED, K.DELAYED)
    assert result.scores[0][1] > result.scores[1][1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the screen is craked", {K.DAMAGED}),
        ("i havent recieved it", {K.NOT_RECEIVED}),
        ("o produto veio quebardo", {K.DAMAGED}),
        ("das Paket ist beschädgt", {K.DAMAGED}),
        ("die Lieferung ist verzgert", {K.DELAYED}),
    ],
)
def test_one_typo_per_word_is_forgiven(text: str, expected: set[ReportKind]) -> None:
    result = classify(text)
    assert set(result.kinds) == expected
    assert any(span.fuzzy for span in result.evidence)


def test_typos_are_corrected_towards_the_message_language_only() -> None:
    # "cases" is one letter from French "cassé"; an English message is not French.
    assert kinds("Box came with only 2 of the 3 phone cases I paid for.") == {K.MISSING_ITEMS}


def test_full_width_and_accents_are_folded() -> None:
    assert kinds("ＢＲＯＫＥＮ") == {K.DAMAGED}
    assert kinds("nao recebi") == kinds("não recebi") == {K.NOT_RECEIVED}


def test_sarcasm_and_emoji() -> None:
    assert kinds("great, another week waiting 🙄") == {K.DELAYED}
    assert kinds("Wow, love that the box came crushed 😍📦") == {K.DAMAGED}


def test_positive_messages_are_other_and_carry_half_confidence() -> None:
    result = classify("Thanks, it arrived in 2 days, great service!")
    assert result.kinds == (K.OTHER,)
    assert result.confidence == 0.5


def test_evidence_spans_point_into_the_original_text() -> None:
    text = "Olá! O copo chegou QUEBRADO 😤"
    result = classify(text)
    (span,) = result.evidence
    assert text[span.start : span.end] == span.text == "QUEBRADO"
    assert (span.kind, span.language, span.negated) == (K.DAMAGED, "pt", False)


def test_negated_spans_are_kept_as_evidence_that_counts_for_nothing() -> None:
    result = classify("It is not damaged.")
    assert result.kinds == (K.OTHER,)
    assert [(s.text, s.negated) for s in result.evidence] == [("damaged", True)]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("My parcel has not arrived yet", "en"),
        ("Meu pedido ainda não chegou", "pt"),
        ("¿Dónde está mi pedido?", "es"),
        ("Wo bleibt meine Bestellung?", "de"),
        ("Où en est ma commande ?", "fr"),
        ("我的包裹在哪里", "zh"),
        ("我的包裹在哪裡", "zh"),
        ("📦😡", "und"),
    ],
)
def test_language_detected(text: str, lang: str) -> None:
    assert classify(text).language == lang


def test_the_language_hint_wins() -> None:
    assert classify("Onde está meu pedido?", lang="pt-BR").language == "pt"
    assert classify("ok", lang="zh-Hant").language == "zh"


def test_missing_fields_follow_the_kinds() -> None:
    damaged = classify("The vase is broken")
    assert damaged.missing == (
        MissingField.TRACKING_NUMBER,
        MissingField.DESCRIPTION,
        MissingField.PHOTOS,
    )
    full = classify(
        "The ceramic vase in my parcel LX123456785CN arrived broken into pieces, photos attached."
    )
    assert full.missing == ()
    assert full.has_photos
    wismo = classify("Where is my parcel LX123456785CN?")
    assert wismo.missing == ()  # a status question needs no photos or goods
    assert classify("The vase is broken, see 📷").has_photos
    assert not classify("The vase is broken, I have no photos").has_photos


def test_attachments_count_as_photos() -> None:
    result = classify("The ceramic vase arrived broken", attachments=["IMG_0001.jpg"])
    assert MissingField.PHOTOS not in result.missing
    assert result.has_photos


def test_the_result_says_which_lexicon() -> None:
    result = classify("broken")
    assert isinstance(result, Classification)
    assert result.lexicon.startswith("default@")


def test_text_must_be_a_string() -> None:
    with pytest.raises(TypeError, match="str"):
        classify(b"broken")  # type: ignore[arg-type]


def test_long_messages_are_read_up_to_the_limit() -> None:
    from logix_rules.intake import MAX_TEXT_CHARS

    text = "broken " + "x" * MAX_TEXT_CHARS + " missing"
    assert kinds(text) == {K.DAMAGED}
