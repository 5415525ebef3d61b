package io.vipkeeper.driver;

/** The effects one node's interface actor works through, and what it listens with. */
public record Drivers(InterfaceDriver driver, Announcer announcer, AddressSensor sensor, KernelFence fence) {

  /** Without a kernel fence. */
  public Drivers(InterfaceDriver driver, Announcer announcer, AddressSensor sensor) {
    this(driver, announcer, sensor, KernelFence.NONE);
  }

  /** Without a sensor (no conflict detection) and without a kernel fence. */
  public Drivers(InterfaceDriver driver, Announcer announcer) {
    this(driver, announcer, AddressSensor.NONE, KernelFence.NONE);
  }
}
