"""Every malformed input of the catalog (tests/bad_inputs.py), through every surface that takes it:
the library raises a typed error with a clear message, the command line exits 2 with one line on
stderr, and the dashboard shows the reason while the rest of the page keeps working."""

import math

import pytest
from streamlit.testing.v1 import AppTest

import nnreg
from nnreg import cli
from bad_inputs import BAD_FILES, BAD_LINKS, BAD_SETTINGS
from test_app import ROOT, open_page, table

FILE_IDS = [f[0] for f in BAD_FILES]
SETTING_IDS = [f"{s[0]}={s[2] or 'empty'}" for s in BAD_SETTINGS]
CLI_FLAGS = {"keep_prob": "--keep-prob", "lambd": "--lambd", "learning_rate": "--learning-rate",
             "num_iterations": "--num-iterations", "layer_dims": "--hidden", "l1": "--l1",
             "train_fraction": "--train-fraction"}
URL_KEYS = {"layer_dims": "layers"}


def test_the_catalog_holds_at_least_forty_inputs():
    assert len(BAD_FILES) + len(BAD_SETTINGS) + len(BAD_LINKS) >= 40


def _one_line_exit_2(capsys, argv) -> str:
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("nnreg")
    return lines[0]


# --- Files --------------------------------------------------------------------------------------

@pytest.mark.parametrize("filename, content, words", BAD_FILES, ids=FILE_IDS)
def test_library_refuses_bad_files(filename, content, words):
    with pytest.raises(nnreg.DatasetError) as error:
        nnreg.read_dataset(content, filename)
    message = str(error.value)
    assert message.startswith(f"{filename}: ") and words in message


@pytest.mark.parametrize("filename, content, words", BAD_FILES, ids=FILE_IDS)
def test_command_line_refuses_bad_files(tmp_path, capsys, filename, content, words):
    path = tmp_path / filename
    path.write_bytes(content)
    line = _one_line_exit_2(capsys, ["reproduce", "--data", str(path)])
    assert line.startswith(f"nnreg: error: {path}: ") and words in line


@pytest.fixture(scope="module")
def upload_page():
    page = open_page(data="upload")
    # The data's uploader, then the settings file's.
    assert [uploader.label for uploader in page.file_uploader] == ["Your data", "Load settings (JSON)"]
    return page


# The upload widget itself only takes these types (the browser's file picker and Streamlit's
# server refuse others with their own message), so other names never reach nnreg from the page.
UPLOADABLE = [f for f in BAD_FILES if f[0].endswith((".csv", ".parquet", ".mat", ".npz"))]


@pytest.mark.slow
@pytest.mark.parametrize("filename, content, words", UPLOADABLE, ids=[f[0] for f in UPLOADABLE])
def test_dashboard_refuses_bad_uploads(upload_page, filename, content, words):
    upload_page.file_uploader[0].upload(filename, content, "application/octet-stream").run()
    assert not upload_page.exception
    errors = [e.value for e in upload_page.error]
    assert len(errors) == 1 and words in errors[0] and filename in errors[0]
    # The rest of the page goes on with the built-in data.
    assert len(table(upload_page)) == 3
    assert any("Dataset **football**" in caption.value for caption in upload_page.caption)


# --- Settings -----------------------------------------------------------------------------------

@pytest.mark.parametrize("field, value, text, words", BAD_SETTINGS, ids=SETTING_IDS)
def test_library_refuses_bad_settings(field, value, text, words):
    with pytest.raises(ValueError) as error:
        nnreg.Settings(**{field: value})
    assert words in str(error.value)


@pytest.mark.parametrize("field, value, text, words", BAD_SETTINGS, ids=SETTING_IDS)
def test_command_line_refuses_bad_settings(tmp_path, capsys, field, value, text, words):
    out = tmp_path / "results.csv"
    line = _one_line_exit_2(capsys, ["sweep", "--data", "moons", "--seeds", "1", "--num-iterations", "100",
                                     CLI_FLAGS[field], text, "--out", str(out)]
                            if field != "num_iterations" else
                            ["sweep", "--data", "moons", "--seeds", "1", CLI_FLAGS[field], text, "--out", str(out)])
    assert words.split()[0].replace("layer_dims", "") in line or "hidden" in line or CLI_FLAGS[field] in line
    assert not out.exists()


@pytest.mark.slow
@pytest.mark.parametrize("field, value, text, words", BAD_SETTINGS, ids=SETTING_IDS)
def test_dashboard_ignores_bad_settings_in_a_link_with_a_warning(field, value, text, words):
    key = URL_KEYS.get(field, field)
    params = {key: text}
    if field != "num_iterations":
        params["num_iterations"] = "300"
    page = AppTest.from_file(str(ROOT / "frame.py"), default_timeout=120)
    page.query_params.update(params)
    page.run()
    assert not page.exception
    shown = [w.value for w in page.warning] + [e.value for e in page.error]
    assert any(f"`{key}=" in message or "hidden layer sizes" in message for message in shown), shown
    assert len(table(page)) == 3
    assert all(not (isinstance(v, float) and math.isnan(v)) for v in table(page)["Test accuracy"])


# --- Link values --------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("key, text", BAD_LINKS, ids=[f"{k}" for k, _ in BAD_LINKS])
def test_dashboard_ignores_bad_link_values_with_a_warning(key, text):
    page = open_page(**{key: text}) if key != "num_iterations" else None
    warnings = [w.value for w in page.warning] + [e.value for e in page.error]
    assert any(f"`{key}=" in message for message in warnings), warnings
    assert len(table(page)) == 3


# --- Typed values ---------------------------------------------------------------------------------
# (field key, typed, the text the field then holds, or None when refused).  The same rules as the
# browser catalog (tests/browser/test_typed_browser.py), here without a browser.
TYPED = [
    ("seed", "1e9", "1e9"), ("seed", "1.5", None), ("seed", "0.0005", None), ("seed", "12345678901234567890", None),
    ("seed", "abc", None), ("seed", "", None), ("seed", "-1", None), ("seed", "0x10", None), ("seed", "1,5", None),
    ("seed", " 7 ", "7"), ("n_seeds", "1e9", None), ("n_seeds", "1.5", None), ("num_iterations", "1e9", None),
    ("num_iterations", "inf", None), ("num_iterations", "nan", None), ("num_iterations", "2e2", "2e2"),
    ("learning_rate", "0.0015", "0.0015"), ("learning_rate", "1e-3", "1e-3"), ("learning_rate", "0.0005", None),
    ("learning_rate", "-0.3", None), ("learning_rate", "0,3", None),
]


@pytest.mark.slow
def test_every_typed_value_is_used_as_typed_or_refused_quoting_it():
    page = open_page()
    holds = {key: page.text_input(key=key).value for key, _, _ in TYPED}
    for key, typed, kept in TYPED:
        page.text_input(key=key).set_value(typed).run()
        assert not page.exception, (key, typed)
        warnings = [warning.value for warning in page.warning]
        if kept is None:
            quoted = f"`{typed.strip()}` was not used" if typed.strip() else "an empty field was not used"
            assert len(warnings) == 1 and quoted in warnings[0] and " must be " in warnings[0], (key, typed, warnings)
            assert warnings[0].endswith(f"The models use {holds[key]}."), warnings[0]
        else:
            assert warnings == [], (key, typed, warnings)
            holds[key] = kept
        assert page.text_input(key=key).value == holds[key], (key, typed)
        assert len(table(page)) == 3
    # The link holds the fields' text, and the models the values it means: init seed 7, 200 iterations, α = 0.001.
    assert (page.query_params["seed"], page.query_params["num_iterations"]) == ("7", "2e2")
    used = page.session_state["nnreg_used"]
    assert (used["seed"], used["num_iterations"], used["learning_rate"]) == (7, 200, 0.001)
