package io.vipkeeper.driver;

/** The effects one node's interface actor works through, and what it listens with. */
public record Drivers(InterfaceDriver driver, Announcer announcer, AddressSensor sensor) {

  /** Without a sensor (no conflict detection). */
  public Drivers(InterfaceDriver driver, Announcer announcer) {
    this(driver, announcer, AddressSensor.NONE);
  }
}
