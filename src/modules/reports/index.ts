/**
 * The reports module's face: what other modules may use.
 */
