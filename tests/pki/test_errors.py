from certificates.pki.errors import PkiError


def test_pki_error_is_a_value_error_carrying_its_message() -> None:
    error = PkiError("Upload the certificate only.")
    assert isinstance(error, ValueError)
    assert error.message == "Upload the certificate only."
    assert str(error) == "Upload the certificate only."
