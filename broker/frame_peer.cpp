#include "frame_peer.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "tandem/log.hpp"

namespace tandem::broker {

FramePeer::FramePeer(Socket socket, FrameDecoder decoder, BrokerContext& ctx,
                     std::size_t soft_limit, std::size_t hard_limit)
    : ctx_(ctx),
      socket_(std::move(socket)),
      decoder_(std::move(decoder)),
      outbox_(soft_limit, hard_limit, &ctx.metrics.outbox, ctx.config.broker_viewer_max_lag) {}

void FramePeer::start_reading() {
    // Frames that came in the same read as the hello are already in the decoder.
    boost::asio::post(ctx_.io, [self = shared_from_this()] {
        if (self->handle_buffered_frames()) self->read();
    });
}

void FramePeer::read() {
    socket_.async_read_some(
        boost::asio::buffer(read_buffer_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
            if (ec) return self->shut(ec == boost::asio::error::eof ? "closed" : ec.message());
            self->decoder_.feed(std::string_view(self->read_buffer_.data(), n));
            if (self->handle_buffered_frames()) self->read();
        });
}

bool FramePeer::handle_buffered_frames() {
    try {
        while (!closed_) {
            auto frame = decoder_.next();
            if (!frame) break;
            if (frame->type != FrameType::ping) on_frame(*frame);
        }
    } catch (const std::exception& e) {
        // One connection's fault never takes the daemon down.
        log::error(std::string("broker peer error: ") + e.what());
        shut("internal error");
        return false;
    }
    if (decoder_.error() != FrameDecoder::Error::none) {
        shut(std::string("protocol error: ") + to_string(decoder_.error()));
        return false;
    }
    return !closed_;
}

void FramePeer::send(FrameType type, std::shared_ptr<const std::string> payload, bool droppable) {
    if (closed_) return;
    auto pushed = outbox_.push({static_cast<int>(type), std::move(payload), droppable,
                                type == FrameType::output, kFrameHeaderBytes});
    if (pushed == ViewerOutbox::Push::overflowed) return shut("peer does not read");
    if (pushed == ViewerOutbox::Push::queued) write_next();
}

void FramePeer::close_after_flush() {
    if (closed_) return;
    close_after_flush_ = true;
    write_next();
}

void FramePeer::write_next() {
    if (closed_ || outbox_.writing()) return;
    const OutboxMessage* next = outbox_.start_write();
    if (!next) {
        if (close_after_flush_) return shut("flushed");
        if (outbox_.take_resync()) on_resync();
        return;
    }
    header_ = encode_frame_header(static_cast<FrameType>(next->kind), next->payload->size());
    std::array<boost::asio::const_buffer, 2> buffers = {boost::asio::buffer(header_),
                                                        boost::asio::buffer(*next->payload)};
    boost::asio::async_write(
        socket_, buffers,
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
            self->outbox_.write_done();
            if (ec) return self->shut(ec.message());
            self->write_next();
        });
}

void FramePeer::shut(const std::string& why) {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    socket_.shutdown(Socket::shutdown_both, ignored);
    socket_.close(ignored);
    outbox_.close();  // an aborted write keeps its pinned message until its handler runs
    log::debug("broker peer closed: " + why);
    on_closed();
}

}  // namespace tandem::broker
