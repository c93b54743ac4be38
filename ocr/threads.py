"""One thread per page process, where pages run in parallel one process per core.

OpenCV starts a pool of one thread per core in every process. In a Celery worker's pool (or
the page executor's) every core already has its own page process, so those threads only
compete with the other pages for the same cores, and a lone page's baseline gets a share of
the idle core that disappears as soon as a second page runs. Tesseract runs get
``OMP_THREAD_LIMIT=1`` where they are started (``ocr.tesseract``, ``ocr.boxes``, ``ocr.mrz``,
the orientation check), for the same reason.
"""

from __future__ import annotations

import cv2


def one_thread_per_process() -> None:
    """Pin this process's OpenCV thread pool to the calling thread."""
    cv2.setNumThreads(1)
