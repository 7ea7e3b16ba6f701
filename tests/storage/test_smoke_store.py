from k2desk.services import patients


def test_add_and_find_patient_without_diacritics(ctx):
    pid = patients.add_patient(ctx, patients.PatientInput(name="Nguyễn Văn An", dob="1950-02-03",
                                                          nkda=True))
    found = patients.search_patients(ctx, "Nguyen")
    assert [p.id for p in found] == [pid]
    assert found[0].name == "Nguyễn Văn An"
