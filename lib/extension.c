/* extension: being written in this session; see the issue. */
