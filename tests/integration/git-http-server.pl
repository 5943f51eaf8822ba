#!/usr/bin/perl
# A minimal HTTP server for git's smart HTTP protocol, for the source tests:
# runs `git http-backend` (a CGI) for every request under /git/, one
# connection at a time, behind optional HTTP basic authentication. Only
# perl-base modules (perl-base is essential on Debian).
#
#   git-http-server.pl PORT_FILE PROJECT_ROOT [USER:PASSWORD]
#
# Listens on a free loopback port and writes its number to PORT_FILE. Every
# answer carries Content-Length and Connection: close (libgit2 1.5 takes an
# answer that ends with the connection for an unexpected EOF).
use strict;
use warnings;
use IO::Socket::INET;
use File::Temp qw(tempfile);

my ($port_file, $root, $credentials) = @ARGV;
die "usage: $0 PORT_FILE PROJECT_ROOT [USER:PASSWORD]\n" unless defined $root;

# Basic credentials: base64 of USER:PASSWORD, by pack('u') (MIME::Base64 is
# not in perl-base).
my $expected;
if (defined $credentials && $credentials ne '') {
  my $b = pack('u', $credentials);
  $b =~ s/^.//mg;
  $b =~ s/\n//g;
  $b =~ tr|` -_|AA-Za-z0-9+/|;
  my $pad = (3 - length($credentials) % 3) % 3;
  $b =~ s/.{$pad}$/'=' x $pad/e if $pad;
  $expected = "Basic $b";
}

my $server = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 16,
                                   ReuseAddr => 1, Proto => 'tcp') or die "listen: $!";
open(my $pf, '>', "$port_file.tmp") or die "$port_file: $!";
print $pf $server->sockport(), "\n";
close $pf;
rename("$port_file.tmp", $port_file) or die "rename: $!";

my $backend = `git --exec-path`;
chomp $backend;
$backend .= '/git-http-backend';

sub respond {
  my ($c, $status, $headers, $body) = @_;
  print $c "HTTP/1.1 $status\r\n", $headers, 'Content-Length: ', length($body),
    "\r\nConnection: close\r\n\r\n", $body;
}

while (my $c = $server->accept()) {
  binmode $c;
  eval {
    local $SIG{ALRM} = sub { die "timeout\n" };
    alarm 60;
    my $request = <$c>;
    die "no request\n" unless defined $request;
    $request =~ s/\r?\n$//;
    my ($method, $target) = split / /, $request;
    my %h;
    while (my $line = <$c>) {
      $line =~ s/\r?\n$//;
      last if $line eq '';
      my ($k, $v) = split /:\s*/, $line, 2;
      $h{lc $k} = $v;
    }
    my $body = '';
    if (($h{'transfer-encoding'} // '') =~ /chunked/i) {
      while (1) {
        my $size = <$c>;
        $size =~ s/\r?\n$//;
        $size = hex($size);
        last if $size == 0;
        my $chunk = '';
        read($c, $chunk, $size) == $size or die "short chunk\n";
        $body .= $chunk;
        <$c>;
      }
      while (my $line = <$c>) { last if $line =~ /^\r?\n$/ }
    } elsif (my $len = $h{'content-length'}) {
      read($c, $body, $len) == $len or die "short body\n";
    }
    if (defined $expected && ($h{authorization} // '') ne $expected) {
      respond($c, '401 Unauthorized', "WWW-Authenticate: Basic realm=\"git\"\r\n", '');
      die "unauthorized\n";
    }
    my ($path, $query) = split /\?/, $target, 2;
    unless ($path =~ m{^/git(/.*)$}) {
      respond($c, '404 Not Found', '', '');
      die "not found\n";
    }
    my ($fh, $tmp) = tempfile();
    binmode $fh;
    print $fh $body;
    close $fh;
    local $ENV{GIT_PROJECT_ROOT} = $root;
    local $ENV{GIT_HTTP_EXPORT_ALL} = '1';
    local $ENV{REQUEST_METHOD} = $method;
    local $ENV{PATH_INFO} = $1;
    local $ENV{QUERY_STRING} = $query // '';
    local $ENV{CONTENT_TYPE} = $h{'content-type'} // '';
    local $ENV{CONTENT_LENGTH} = length($body);
    local $ENV{REMOTE_USER} = 'git';
    local $ENV{REMOTE_ADDR} = '127.0.0.1';
    local $ENV{GIT_PROTOCOL} = $h{'git-protocol'} // '';
    open(my $out, '-|', "'$backend' < '$tmp'") or die "http-backend: $!";
    binmode $out;
    my $cgi = do { local $/; <$out> };
    close $out;
    unlink $tmp;
    my ($i, $sep) = (index($cgi, "\r\n\r\n"), 4);
    my $j = index($cgi, "\n\n");
    ($i, $sep) = ($j, 2) if $i < 0 || ($j >= 0 && $j < $i);
    die "no CGI headers\n" if $i < 0;
    my $status = '200 OK';
    my $headers = '';
    for my $line (split /\r?\n/, substr($cgi, 0, $i)) {
      if ($line =~ /^Status:\s*(.*)$/i) { $status = $1 }
      else { $headers .= "$line\r\n" }
    }
    respond($c, $status, $headers, substr($cgi, $i + $sep));
    alarm 0;
  };
  alarm 0;
  close $c;
}
