package io.vipkeeper.driver;

/** What the kernel says about one interface. {@code mac} is lower-case, colon separated. */
public record LinkInfo(String name, int index, String mac, boolean up) {}
