//! Where a server listens, and the URL to give for it: what the sandbox
//! and the exporter share.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use tokio::net::TcpListener;

/// How many connections may wait to be accepted.
const BACKLOG: i32 = 1024;

/// Listens on `addr`. Every IPv6 interface (`[::]`, which `--listen :PORT`
/// means) is every interface: IPv6 and IPv4 on one dual-stack socket where
/// the system has IPv6, else every IPv4 interface.
pub async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    match addr.ip() {
        IpAddr::V6(ip) if ip.is_unspecified() => match dual_stack(addr) {
            Ok(listener) => Ok(listener),
            Err(_) => {
                TcpListener::bind(SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), addr.port())).await
            }
        },
        _ => TcpListener::bind(addr).await,
    }
}

/// One socket for IPv6 and IPv4 (IPv4 clients seen as `::ffff:a.b.c.d`),
/// whatever the system's default for IPv6 sockets.
fn dual_stack(addr: SocketAddr) -> std::io::Result<TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::IPV6, Type::STREAM, Some(Protocol::TCP))?;
    socket.set_only_v6(false)?;
    socket.set_reuse_address(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(BACKLOG)?;
    TcpListener::from_std(socket.into())
}

/// The address a client on this machine connects to for a server bound to
/// `addr`: a wildcard address (0.0.0.0, ::) is where it listens, not where
/// to connect; its loopback is.
pub(crate) fn reachable(addr: SocketAddr) -> SocketAddr {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, addr.port())
}
