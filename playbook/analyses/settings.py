"""The settings several analyses share: the tests' level, the resamples behind intervals, the seed.

Each analysis module declares its own settings beside its code (`TimingSettings` in `timing.py`,
...); what more than one of them uses is declared here, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from playbook.data.settings import Settings, setting


@dataclass(frozen=True, kw_only=True)
class CommonSettings(Settings):
    """Settings every analysis that tests, resamples or simulates reads."""

    GROUP: ClassVar[str] = "every analysis: tests, intervals and randomness"

    alpha: float = setting(
        0.05,
        kind="number",
        minimum=0.001,
        maximum=0.5,
        help="the level of the tests verdicts rest on: a penetration threshold, a clear leader (p below it)",
    )
    n_boot: int = setting(
        1000, kind="int", minimum=500, help="bootstrap resamples behind each interval (at least 500)"
    )
    seed: int = setting(0, kind="int", minimum=0, help="random seed of every resampling and simulation")
