package io.vipkeeper.config;

import java.time.Duration;

/** Whether to watch the wire for other hosts answering for the VIPs, and how often to re-announce. */
public record ConflictSettings(boolean detect, Duration reannounceInterval) {}
