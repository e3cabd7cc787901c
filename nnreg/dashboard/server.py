"""What the server does once, when it starts: load the training engine and train the models of the
default page into the shared model cache, on a thread, so that the server answers at once and a
visitor who comes meanwhile waits only for what is left (the page waits for the same warm-up and
the cache for models in training, as for any other session).  Before that, two settings of the
server's process that a first visit was waiting on: TCP_NODELAY for its connections and one BLAS
thread."""

import inspect
import os
import socket
import stat
import threading
from contextlib import asynccontextmanager

import pandas as pd
import streamlit as st
from threadpoolctl import threadpool_limits

from .. import charts, data
from .controls import load_choice
from .models import default_runs
from .resources import engine_warm_up, model_cache


def prepare():
    warm_up = engine_warm_up()
    dataset = load_choice(data.BUILTIN, None, None, None)
    if warm_up is not None:
        warm_up.join()
    results = model_cache().results(dataset, default_runs())
    # Altair checks a chart against the Vega-Lite schema when it is drawn, and builds its checker the
    # first time: done here once, not on the first visitor's page.
    charts.decision_boundary(results[:1], dataset).to_dict()
    # pandas compiles its Styler's HTML templates the first time a table is styled (0.1 s).
    pd.DataFrame().style
    # Streamlit walks the stack once per process before the first element it sends (to tell
    # whether it runs in a REPL), and inspect then maps every loaded module to its file: 0.1 s.
    inspect.stack()


def no_delay(port: int) -> bool:
    """Set TCP_NODELAY on this process's sockets that listen on ``port`` (Streamlit binds one;
    an IPv4 and an IPv6 one would both be set), for every connection they accept from then on;
    False if there is none (or the system lists no open files in /dev/fd).

    Streamlit binds its socket itself, with protocol number 0, and asyncio sets TCP_NODELAY only
    on sockets whose protocol says TCP: every response after the first on a connection then
    waited for the browser's delayed acknowledgement, 40 ms, for each of the 150 files of a first
    visit.  Linux and macOS pass the option on to the sockets a listening socket accepts.
    """
    found = False
    for fd in map(int, os.listdir("/dev/fd") if os.path.isdir("/dev/fd") else []):
        try:
            if not stat.S_ISSOCK(os.fstat(fd).st_mode):
                continue
            # A duplicate descriptor: the option set is the shared socket's, and closing the
            # duplicate leaves Streamlit's open.
            with socket.socket(fileno=os.dup(fd)) as sock:
                if (sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM
                        and sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
                        and sock.getsockname()[1] == port):
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    found = True
        except OSError:
            # A descriptor closed meanwhile (such as the listing's own), or no socket of ours.
            continue
    return found


@asynccontextmanager
async def lifespan(app):
    no_delay(st.get_option("server.port"))
    # The page's matrices are small (20 by 40,000 at most): a second BLAS thread gains nothing and,
    # with another busy process on the machine, made the first page's boundaries 0.1 s each, not 5 ms.
    threadpool_limits(1)
    threading.Thread(target=prepare, name="nnreg-startup", daemon=True).start()
    yield
