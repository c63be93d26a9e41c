"""The one error the renderers raise, worded for the person running the build."""

from __future__ import annotations


class RenderError(Exception):
    """Raise when a chapter or a format cannot be rendered; the message is in French."""

    def __init__(
        self,
        message: str,
        *,
        chapter: str | None = None,
        fmt: str | None = None,
        stderr: str | None = None,
    ):
        self.message = message
        self.chapter = chapter
        self.format = fmt
        self.stderr = (stderr or "").strip()
        parts = [message]
        if chapter:
            parts.append(f"chapitre : {chapter}")
        if fmt:
            parts.append(f"format : {fmt}")
        text = " — ".join(parts)
        if self.stderr:
            text += f"\nSortie de l'outil :\n{self.stderr}"
        super().__init__(text)

    def in_format(self, fmt: str) -> RenderError:
        """Return the same error naming ``fmt`` (when it did not name a format yet)."""
        if self.format:
            return self
        return RenderError(self.message, chapter=self.chapter, fmt=fmt, stderr=self.stderr)
