"""Sign-in throttling with backoff, in the server's memory (no database write, so it never
waits on one). Failures are counted per key: an account seen from one client, a client across
accounts, and an account across clients. Each key allows a number of free failures; after
that every failure doubles the wait before the next attempt from that key, up to a cap. Nobody
is locked out for long: an attacker can only slow down their own client, and only a flood from
many clients slows an account down (never beyond the cap).

The counts are per app process. With several replicas behind a proxy each keeps its own, so an
account can be tried once more per replica before the backoff starts: a deliberate trade, since
counting in the database would put a write on every failed sign-in, and signing in must never
wait behind a long write (an import). The argon2 hash still bounds the rate of each replica."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    free: int  # failures allowed before any wait
    first_wait: float  # seconds after the first failure past `free`
    max_wait: float  # cap on the wait


#: The three keys and their rules: (account, client), client, account.
PAIR = Rule(free=5, first_wait=2.0, max_wait=900.0)
CLIENT = Rule(free=20, first_wait=2.0, max_wait=900.0)
ACCOUNT = Rule(free=50, first_wait=1.0, max_wait=300.0)
MAX_KEYS = 100_000


@dataclass
class _State:
    failures: int = 0
    not_before: float = 0.0


class Throttle:
    """Counts failures and says whether an attempt must wait. Thread-safe; bounded memory."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._states: OrderedDict[str, _State] = OrderedDict()

    def _now(self) -> float:
        return self._clock()

    @staticmethod
    def _keys(account: str, client: str) -> list[tuple[str, Rule]]:
        return [(f"p|{account}|{client}", PAIR), (f"c|{client}", CLIENT), (f"a|{account}", ACCOUNT)]

    def wait_seconds(self, *, account: str, client: str) -> float:
        """How long this attempt must still wait (0 when it may go ahead)."""
        now = self._now()
        with self._lock:
            waits = [
                s.not_before - now
                for key, _ in self._keys(account, client)
                if (s := self._states.get(key)) is not None
            ]
        return max([0.0, *waits])

    def failed(self, *, account: str, client: str) -> None:
        now = self._now()
        with self._lock:
            for key, rule in self._keys(account, client):
                state = self._states.setdefault(key, _State())
                self._states.move_to_end(key)
                state.failures += 1
                excess = state.failures - rule.free
                if excess > 0:
                    state.not_before = now + min(rule.max_wait, rule.first_wait * 2 ** (excess - 1))
            while len(self._states) > MAX_KEYS:
                self._states.popitem(last=False)

    def succeeded(self, *, account: str, client: str) -> None:
        """A right password from this client clears its pair (the others decay by use)."""
        with self._lock:
            self._states.pop(f"p|{account}|{client}", None)

    def clear(self) -> None:
        with self._lock:
            self._states.clear()


#: The process-wide throttle the sign-in service uses.
SIGN_IN = Throttle()
