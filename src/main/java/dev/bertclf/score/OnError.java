package dev.bertclf.score;

/** What a bad row (empty text, a missing text value, a broken line) does: stop the run, or be counted and left out. */
public enum OnError {
    skip,
    fail
}
