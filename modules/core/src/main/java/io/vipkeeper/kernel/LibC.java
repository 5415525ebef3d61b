package io.vipkeeper.kernel;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;

/** The libc socket calls the kernel drivers make through JNA (rtnetlink, the interface lock). */
interface LibC extends Library {
  int socket(int domain, int type, int protocol) throws LastErrorException;
  int bind(int fd, byte[] address, int length) throws LastErrorException;
  int listen(int fd, int backlog) throws LastErrorException;
  int setsockopt(int fd, int level, int name, long[] value, int length) throws LastErrorException;
  long send(int fd, byte[] buffer, long length, int flags) throws LastErrorException;
  long recv(int fd, byte[] buffer, long length, int flags) throws LastErrorException;
  int close(int fd) throws LastErrorException;
  int if_nametoindex(String name);
}
