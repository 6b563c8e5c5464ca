"""mailbot: the email robot of the QPV participatory-housing programme.

It watches the Sympa list and the proofs inbox, tags list posts GO or GT,
files AMO proofs, runs subscriptions and the address refresh, and reports
to the COTECH. See README.md for the operator's view.
"""

__version__ = "0.1.0"
