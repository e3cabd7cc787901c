"""What the server does once, when it starts: load the training engine and train the models of the
default page into the shared model cache, on a thread, so that the server answers at once and a
visitor who comes meanwhile waits only for what is left (the page waits for the same warm-up and
the cache for models in training, as for any other session)."""

import threading
from contextlib import asynccontextmanager

from app_pages import shared
from nnreg import charts, dashboard, data


def prepare():
    warm_up = shared.engine_warm_up()
    dataset = dashboard.load_choice(data.BUILTIN, None, None, None)
    if warm_up is not None:
        warm_up.join()
    results = shared.model_cache().results(dataset, dashboard.default_runs())
    # Altair checks a chart against the Vega-Lite schema when it is drawn, and builds its checker the
    # first time: done here once, not on the first visitor's page.
    charts.decision_boundary(results[:1], dataset).to_dict()


@asynccontextmanager
async def lifespan(app):
    threading.Thread(target=prepare, name="nnreg-startup", daemon=True).start()
    yield
