"""The weekly COTECH digest: data (model), reading (collect, labels), rendering
and queueing (send). Submodules are imported explicitly: `mailbot.digest.send`
is the entry point (`build_digest`, `render_digest`, `send_digest`).
"""
