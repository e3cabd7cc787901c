"""A model in one line of text, the same in a link, on the command line and on the page:
``NAME[:key=value,key=value...]``, e.g. ``L2 big:lambd=3``, ``wide:layers=50, 20,keep_prob=0.8`` (hidden layers
are read written "50 20" too) or ``Adam + WD:optimizer=adam,learning_rate=0.01,weight_decay=0.001``.

The keys are the settings a model may change (``SPEC_KEYS``); everything else comes from the
shared settings.  Values are read by ``nnreg.limits`` (a choice against ``network``'s lists, in
``CHOICES``), so a value accepted or refused here is accepted or refused, with the same message,
in every other field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from .limits import MAX_MODELS, RANGES, format_layers, format_number, parse_flag, parse_layers, read
from .network import ACTIVATION_NAMES, OPTIMIZER_NAMES
from .settings import STUDY, Settings

# In the order the page's table of models shows them: the regularizers, then the network and how it trains.
SPEC_KEYS = ("lambd", "l1", "keep_prob", "weight_decay", "early_stopping", "layers", "activation", "optimizer",
             "learning_rate", "batch_size", "num_iterations", "standardize")
# The keys that name one of a few choices, each choice as a model's caption says it.
CHOICES: dict[str, dict[str, str]] = {"activation": ACTIVATION_NAMES, "optimizer": OPTIMIZER_NAMES}
# batch_size's word for None, every training point at each update: the course's full batch, and a
# model's way back to it when the shared setting is a mini-batch.
FULL_BATCH = "full"
# Switches written on/off rather than true/false: standardize=on reads as what it does.
_ON_OFF = ("standardize",)
MAX_NAME = 40
# The course's three models, the page's and `compare`'s default list.
DEFAULT_SPECS = ("No regularization", "L2:lambd=0.7", "Dropout:keep_prob=0.86")
# A comma ends a value only where the next key begins, so hidden layers may be written "50, 20" too.
_PAIRS = re.compile(r",(?=\s*[A-Za-z_][A-Za-z0-9_]*\s*=)")


@dataclass(frozen=True)
class ModelSpec:
    """A named model: the settings it changes from the shared ones, in the order written."""

    name: str
    changes: tuple[tuple[str, object], ...] = ()

    def settings(self, base: Settings) -> Settings:
        """``base`` with this model's changes."""
        fields = {"layer_dims" if key == "layers" else key: value for key, value in self.changes}
        return base.replace(**fields)

    def __str__(self) -> str:
        """The text ``parse_spec`` reads back."""
        pairs = [f"{key}={spec_text(value, key)}" for key, value in self.changes]
        return self.name + (":" + ",".join(pairs) if pairs else "")


def spec_text(value, key: str = "") -> str:
    """A key's value as a spec and a table's cell hold it, every digit kept: "0.0015", "50, 20",
    "true", "adam"; ``key`` standardize's "on" or "off", batch_size's "full"."""
    if value is None and key == "batch_size":
        return FULL_BATCH
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return ("on" if value else "off") if key in _ON_OFF else str(value).lower()
    if isinstance(value, tuple):
        return format_layers(value)
    return format_number(value)


def read_choice(key: str, text) -> str:
    """One of ``CHOICES[key]`` from text in any case ("Adam" is adam); a ValueError names the choices."""
    text = str(text).strip()
    if text.lower() not in CHOICES[key]:
        raise ValueError(f"{key} must be one of {', '.join(CHOICES[key])}, got {text!r}")
    return text.lower()


def read_batch_size(text, name: str | None = None) -> int | None:
    """batch_size from text: a whole number in its range, or "full" (any case) for the full batch,
    None; a ValueError names ``name`` (a flag, a field; else batch_size) and says both are allowed."""
    text = str(text).strip()
    if text.lower() == FULL_BATCH:
        return None
    try:
        return read("batch_size", text, name)
    except ValueError as error:
        raise ValueError(str(error).replace(" must be ", f" must be {FULL_BATCH} (every training point at each "
                                                         "update) or ", 1)) from None


def _value(key: str, text: str, spec: str):
    try:
        if key in ("early_stopping", *_ON_OFF):
            return parse_flag(text, key)
        if key == "layers":
            return parse_layers(text)
        if key in CHOICES:
            return read_choice(key, text)
        if key == "batch_size":
            return read_batch_size(text)
        return read(key, text)
    except ValueError as error:
        raise ValueError(f"model {spec!r}: {error}") from None


def parse_spec(text) -> ModelSpec:
    """One model from ``NAME[:key=value,...]``; a ValueError names the spec and what is wrong."""
    spec = str(text).strip()
    name, _, rest = spec.partition(":")
    fields = {}
    for pair in _PAIRS.split(rest) if rest.strip() else []:
        key, equals, value = pair.partition("=")
        key = key.strip()
        if not equals or key not in SPEC_KEYS:
            problem = f"unknown key {key!r}" if equals else f"{pair.strip()!r} is not key=value"
            raise ValueError(f"model {spec!r}: {problem}; the keys are {', '.join(SPEC_KEYS)}")
        if key in fields:
            raise ValueError(f"model {spec!r} sets {key} twice")
        fields[key] = value.strip()
    return spec_from_fields(name, fields, spec)


def spec_from_fields(name, fields: Mapping[str, str], written: str) -> ModelSpec:
    """A model from its name and each key's text (a spec's, or a table row's cells), each value
    read by its own key's rules, so that no text can set another key; a ValueError names the
    model as ``written`` and what is wrong."""
    name = str(name).strip()
    if not name:
        raise ValueError(f"model {written!r} has no name: write NAME or NAME:key=value,... (e.g. 'L2:lambd=0.7')")
    if ":" in name:
        raise ValueError(f"model name {name!r} holds ':', which begins a model's settings in a link; name it "
                         "without one")
    if len(name) > MAX_NAME:
        raise ValueError(f"model name {name[:MAX_NAME]!r}... is longer than {MAX_NAME} characters")
    model = ModelSpec(name, tuple((key, _value(key, str(text).strip(), written)) for key, text in fields.items()))
    # Settings' own checks too (none is expected to fail after the limits above).
    model.settings(Settings())
    return model


def check_specs(models: Iterable[ModelSpec]) -> list[ModelSpec]:
    """The list as given if it has 1 to MAX_MODELS models with distinct names; else a ValueError."""
    models = list(models)
    if not 1 <= len(models) <= MAX_MODELS:
        raise ValueError(f"compare 1 to {MAX_MODELS} models, got {len(models)}")
    seen = {}
    for model in models:
        key = model.name.casefold()
        if key in seen:
            named = repr(seen[key]) + ("" if seen[key] == model.name else f" and {model.name!r}")
            raise ValueError(f"two models are named {named}: every model needs a name of its own")
        seen[key] = model.name
    return models


def parse_specs(texts: Iterable[str]) -> list[ModelSpec]:
    """Every model of a list, strictly (the command line): the first problem is a ValueError."""
    return check_specs(parse_spec(text) for text in texts)


# "L2 or weight decay? (Adam)": Adam's models take its usual step size, the others the course's.
ADAM_LEARNING_RATE = 0.01


def l2_or_weight_decay_specs(points: int) -> list[ModelSpec]:
    """The preset "L2 or weight decay? (Adam)" on data whose models fit ``points`` points: Adam
    (α = ADAM_LEARNING_RATE) without regularization, with the course's L2 and with weight decay,
    and gradient descent (the course's α) with the same L2.  Weight decay shrinks every weight by
    as much per step as gradient descent's L2 does from the same start, α_Adam·wd = α·λ/m, its wd
    to three digits."""
    course, lambd = Settings(), STUDY["l2"].lambd
    weight_decay = min(float(f"{course.learning_rate * lambd / (points * ADAM_LEARNING_RATE):.3g}"),
                       RANGES["weight_decay"].high)
    adam = f"optimizer=adam,learning_rate={format_number(ADAM_LEARNING_RATE)}"
    # Keys in SPEC_KEYS' order, as the table writes them back.
    return parse_specs([f"Adam:{adam}", f"Adam + L2:lambd={format_number(lambd)},{adam}",
                        f"Adam + weight decay:weight_decay={format_number(weight_decay)},{adam}",
                        f"Gradient descent + L2:lambd={format_number(lambd)}"])


def parse_specs_kept(texts: Iterable[str]) -> tuple[list[ModelSpec], list[str]]:
    """Every model of a list that can be used, and a message for each one that cannot (a bad
    spec, a repeated name, one beyond MAX_MODELS): the page keeps the rest of a list."""
    return kept_specs((str(text).strip(), lambda text=text: parse_spec(text)) for text in texts)


def kept_specs(readers: Iterable[tuple[str, Callable[[], ModelSpec]]]) -> tuple[list[ModelSpec], list[str]]:
    """``parse_specs_kept`` for models read by any reader: (the model as written, its reader)."""
    models, problems, seen = [], [], {}
    for written, reader in readers:
        try:
            model = reader()
        except ValueError as error:
            problems.append(str(error))
            continue
        if model.name.casefold() in seen:
            problems.append(f"model {written!r}: another model is named {seen[model.name.casefold()]!r}; "
                            "every model needs a name of its own")
        elif len(models) == MAX_MODELS:
            problems.append(f"model {written!r}: at most {MAX_MODELS} models are compared")
        else:
            seen[model.name.casefold()] = model.name
            models.append(model)
    return models, problems


def spec_settings(models: Iterable[ModelSpec], base: Settings) -> dict[str, Settings]:
    """Each model's settings by its name, in order."""
    return {model.name: model.settings(base) for model in models}


def batch_words(batch_size: int | None) -> str:
    """How a model takes its points at each update: "full batch" or "mini-batches of 32"."""
    return "full batch" if batch_size is None else f"mini-batches of {batch_size:,}"


def describe(model: ModelSpec) -> str:
    """What a model changes, in the course's names: "λ = 3, layers 50, 20, Adam, mini-batches of 32"
    ("" for none)."""
    words = {"lambd": "λ", "keep_prob": "keep_prob", "l1": "l1", "learning_rate": "α", "num_iterations": "iterations"}
    parts = []
    # In the table's order, however the spec was written, so that a caption reads the same before
    # and after the table rewrites the spec.
    for key, value in sorted(model.changes, key=lambda change: SPEC_KEYS.index(change[0])):
        if key in CHOICES:
            parts.append(CHOICES[key][value])
        elif key == "weight_decay":
            parts.append(f"weight decay {spec_text(value)}")
        elif key == "batch_size":
            parts.append(batch_words(value))
        elif key == "layers":
            parts.append(f"layers {spec_text(value)}")
        elif key == "early_stopping":
            parts.append("early stopping" if value else "no early stopping")
        elif key == "standardize":
            parts.append("standardized inputs" if value else "raw inputs")
        else:
            parts.append(f"{words[key]} = {spec_text(value) if key != 'num_iterations' else f'{value:,}'}")
    return ", ".join(parts)


def specs_from_settings(models: Mapping[str, Settings], base: Settings) -> list[ModelSpec]:
    """Named settings as specs: each with the keys where it differs from ``base``."""
    result = []
    for name, settings in models.items():
        changes = []
        for key in SPEC_KEYS:
            field = "layer_dims" if key == "layers" else key
            if getattr(settings, field) != getattr(base, field):
                changes.append((key, getattr(settings, field)))
        result.append(ModelSpec(name, tuple(changes)))
    return result
