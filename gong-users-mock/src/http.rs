//! Just enough HTTP/1.1 to serve `GET /v2/users` and to misbehave on purpose.
//!
//! Requests are parsed with httparse. Responses are written by hand, because FakeGong must be
//! able to do what a well-behaved server library will not: stop a body halfway, or reset the
//! connection without answering.

use std::io;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// The largest request head accepted.
const MAX_HEAD: usize = 64 * 1024;

/// The parts of a request FakeGong looks at.
pub(crate) struct Request {
    pub(crate) method: String,
    /// The path and query, as sent.
    pub(crate) target: String,
    pub(crate) authorization: Option<String>,
    pub(crate) user_agent: Option<String>,
    pub(crate) keep_alive: bool,
    /// The body (`Content-Length` bytes; chunked request bodies are not accepted).
    pub(crate) body: Vec<u8>,
}

/// The largest request body accepted: `/v2/users/extensive` bodies are small.
const MAX_BODY: usize = 1024 * 1024;

/// Reads one request head from `stream`, keeping bytes past it in `buffer`. `Ok(None)` when the
/// client closed the connection between requests.
pub(crate) async fn read_request(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
) -> io::Result<Option<Request>> {
    loop {
        if let Some(end) = find_head_end(buffer) {
            let (mut request, length) = parse_head(&buffer[..end])?;
            if length > MAX_BODY {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "request body too large",
                ));
            }
            buffer.drain(..end);
            while buffer.len() < length {
                let mut chunk = [0u8; 8192];
                let read = stream.read(&mut chunk).await?;
                if read == 0 {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "request body cut short",
                    ));
                }
                buffer.extend_from_slice(&chunk[..read]);
            }
            request.body = buffer.drain(..length).collect();
            return Ok(Some(request));
        }
        if buffer.len() > MAX_HEAD {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "request head too large",
            ));
        }
        let mut chunk = [0u8; 8192];
        let read = stream.read(&mut chunk).await?;
        if read == 0 {
            return if buffer.is_empty() {
                Ok(None)
            } else {
                Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "request cut short",
                ))
            };
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
}

fn find_head_end(buffer: &[u8]) -> Option<usize> {
    buffer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| at + 4)
}

/// The request head, and the length of the body that follows it.
fn parse_head(head: &[u8]) -> io::Result<(Request, usize)> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut parsed = httparse::Request::new(&mut headers);
    let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_owned());
    match parsed.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        _ => return Err(invalid("malformed request head")),
    }
    let header = |name: &str| {
        parsed
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .and_then(|h| std::str::from_utf8(h.value).ok())
            .map(str::to_owned)
    };
    let close = header("connection").is_some_and(|v| v.eq_ignore_ascii_case("close"));
    if header("transfer-encoding").is_some() {
        return Err(invalid("chunked request bodies are not accepted"));
    }
    let length = match header("content-length") {
        Some(length) => length
            .trim()
            .parse::<usize>()
            .map_err(|_| invalid("bad content-length"))?,
        None => 0,
    };
    let request = Request {
        method: parsed
            .method
            .ok_or_else(|| invalid("no method"))?
            .to_owned(),
        target: parsed.path.ok_or_else(|| invalid("no path"))?.to_owned(),
        authorization: header("authorization"),
        user_agent: header("user-agent"),
        keep_alive: parsed.version == Some(1) && !close,
        body: Vec::new(),
    };
    Ok((request, length))
}

/// A response to write.
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) content_type: &'static str,
    pub(crate) retry_after: Option<String>,
    pub(crate) body: Vec<u8>,
    /// For a body that never ends: what is repeated after `body`, comma-separated.
    pub(crate) repeat: Option<Vec<u8>>,
}

impl Response {
    pub(crate) fn json(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            content_type: "application/json; charset=utf-8",
            retry_after: None,
            body: body.into(),
            repeat: None,
        }
    }

    pub(crate) fn html(status: u16, body: &str) -> Self {
        Self {
            status,
            content_type: "text/html",
            retry_after: None,
            body: body.as_bytes().to_vec(),
            repeat: None,
        }
    }

    /// A 200 whose JSON body starts with `head` and repeats `item` for ever.
    pub(crate) fn endless(head: String, item: String) -> Self {
        Self {
            repeat: Some(item.into_bytes()),
            ..Self::json(200, head)
        }
    }

    /// `Retry-After` with this value (seconds, or an HTTP date).
    pub(crate) fn with_retry_after(mut self, value: String) -> Self {
        self.retry_after = Some(value);
        self
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

fn head(response: &Response, keep_alive: bool) -> String {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: {}\r\ncontent-length: {}\r\nconnection: {}\r\n",
        response.status,
        reason(response.status),
        response.content_type,
        response.body.len(),
        if keep_alive { "keep-alive" } else { "close" },
    );
    if let Some(value) = &response.retry_after {
        head.push_str(&format!("retry-after: {value}\r\n"));
    }
    head.push_str("\r\n");
    head
}

/// Writes the whole response.
pub(crate) async fn write_response(
    stream: &mut TcpStream,
    response: &Response,
    keep_alive: bool,
) -> io::Result<()> {
    stream
        .write_all(head(response, keep_alive).as_bytes())
        .await?;
    stream.write_all(&response.body).await?;
    stream.flush().await
}

/// Writes the head with the full `content-length` but only half the body, then closes.
pub(crate) async fn write_truncated(stream: &mut TcpStream, response: &Response) -> io::Result<()> {
    stream.write_all(head(response, false).as_bytes()).await?;
    stream
        .write_all(&response.body[..response.body.len() / 2])
        .await?;
    stream.flush().await?;
    stream.shutdown().await
}

/// Writes a chunked body that never ends: `body`, then `repeat` again and again, until the
/// client stops reading or the bounds (4 GiB, 60 s) are reached.
pub(crate) async fn write_endless(stream: &mut TcpStream, response: &Response) -> io::Result<()> {
    const MAX_BYTES: u64 = 4 << 30;
    const MAX_TIME: std::time::Duration = std::time::Duration::from_secs(60);
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: {}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n",
        response.content_type
    );
    stream.write_all(head.as_bytes()).await?;
    write_chunk(stream, &response.body).await?;
    let item = response.repeat.as_deref().unwrap_or(b"{}");
    let mut chunk = Vec::with_capacity(64 * 1024 + item.len() + 1);
    let mut first = true;
    while chunk.len() < 64 * 1024 {
        if !first {
            chunk.push(b',');
        }
        chunk.extend_from_slice(item);
        first = false;
    }
    let started = std::time::Instant::now();
    let mut sent: u64 = 0;
    let mut comma = false;
    while sent < MAX_BYTES && started.elapsed() < MAX_TIME {
        if comma {
            write_chunk(stream, b",").await?;
        }
        write_chunk(stream, &chunk).await?;
        comma = true;
        sent += chunk.len() as u64;
    }
    Ok(())
}

async fn write_chunk(stream: &mut TcpStream, data: &[u8]) -> io::Result<()> {
    stream
        .write_all(format!("{:x}\r\n", data.len()).as_bytes())
        .await?;
    stream.write_all(data).await?;
    stream.write_all(b"\r\n").await
}

/// Resets the connection: no response, an RST instead of a FIN.
pub(crate) fn reset(stream: TcpStream) {
    // Deprecated because a non-zero linger blocks on drop; a zero linger resets at once.
    #[allow(deprecated)]
    let _ = stream.set_linger(Some(std::time::Duration::ZERO));
    drop(stream);
}
