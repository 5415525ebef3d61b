package io.vipkeeper.driver;

/** The pair of effects one node's interface actor works through. */
public record Drivers(InterfaceDriver driver, Announcer announcer) {}
