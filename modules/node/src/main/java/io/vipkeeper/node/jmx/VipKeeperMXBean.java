package io.vipkeeper.node.jmx;

/**
 * vipkeeper's management view for JConsole and other JMX tools, registered as
 * {@code io.vipkeeper:type=VipKeeper,node=<name>}. Operations answer with the same text the HTTP
 * API would put in its JSON body; a refused operation throws with the reason.
 */
public interface VipKeeperMXBean {

  /** One line per group: name, mode, addresses, holder, epoch. */
  String[] getGroups();

  String[] getDrainedNodes();

  boolean isInMajority();

  /** A table of every group (as {@code bin/vipkeeper status} prints it). */
  String list();

  String move(String group, String node);

  String drain(String node);

  String undrain(String node);
}
