package io.vipkeeper.config;

import java.time.Duration;
import java.util.Map;

/** The notify commands per event ("claim", "release", "fault"; empty = none) and their time limit. */
public record NotifySettings(Map<String, String> byEvent, Duration timeout) {}
