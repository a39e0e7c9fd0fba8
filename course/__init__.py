"""The course: its lessons (built from solutions/), each exercise's check, the lessons' data and a learner's start."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # a clone's root (with solutions/ and lessons/), or site-packages
