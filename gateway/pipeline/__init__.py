"""The durable pipeline: intake, steps and their runner, the sweeper and replay."""

from gateway.pipeline.intake import IntakeResult, intake
from gateway.pipeline.runner import replay, run_step, run_steps, sweep
from gateway.pipeline.runtime import CollectingDispatcher, DeliveryOutcome, Dispatcher, Runtime

__all__ = [
    "CollectingDispatcher",
    "DeliveryOutcome",
    "Dispatcher",
    "IntakeResult",
    "Runtime",
    "intake",
    "replay",
    "run_step",
    "run_steps",
    "sweep",
]
