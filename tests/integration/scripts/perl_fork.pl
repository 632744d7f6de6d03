#!/usr/bin/perl
# fork/wait/exec from perl: exit statuses and pipes between processes.
use strict;
use warnings;
my @kids;
for my $i (1 .. 4) {
  my $pid = fork();
  die "fork: $!" unless defined $pid;
  if ($pid == 0) { exit($i * 10); }
  push @kids, $pid;
}
my $sum = 0;
for my $pid (@kids) { waitpid($pid, 0); $sum += $? >> 8; }
print "sum $sum\n";
pipe(my $r, my $w) or die;
my $pid = fork();
if ($pid == 0) { close $r; print $w "from child\n"; exit 0; }
close $w;
print "got: ", scalar(<$r>);
waitpid($pid, 0);
print "system: ", system("/bin/sh", "-c", "exit 3") >> 8, "\n";
