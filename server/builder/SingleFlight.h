#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace strata {

/// Concurrent calls for the same key share one run: the first caller (the
/// leader) does the work, the others (followers) wait for its result or its
/// error. A flight is forgotten the moment it ends, so a later call runs
/// again: nothing here caches results, and nothing outlives its flight.
template <typename Result>
class SingleFlight {
 public:
  class Flight {
   public:
    /// Set by the leader when the flight starts (a build's id in the log);
    /// followers read it at once.
    const std::string& label() const { return label_; }

    /// Blocks until the leader finished; its result, or its error rethrown.
    Result wait() {
      std::unique_lock<std::mutex> lock(mutex_);
      done_.wait(lock, [&] { return finished_; });
      if (error_) std::rethrow_exception(error_);
      return *result_;
    }

   private:
    friend class SingleFlight;
    std::string label_;
    std::mutex mutex_;
    std::condition_variable done_;
    bool finished_ = false;
    std::optional<Result> result_;
    std::exception_ptr error_;
  };

  struct Ticket {
    std::shared_ptr<Flight> flight;
    bool leader = false;
  };

  /// Joins the flight of `key`, or starts one and leads it. `label` runs only
  /// for a new flight, before any follower can see it.
  Ticket join(const std::string& key, const std::function<std::string()>& label = {}) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = flights_.find(key); it != flights_.end()) return {it->second, false};
    auto flight = std::make_shared<Flight>();
    if (label) flight->label_ = label();
    flights_.emplace(key, flight);
    return {flight, true};
  }

  /// Ends the flight its leader ran: forgets the key, then hands the result
  /// (or `error`, when set) to every follower.
  void finish(const std::string& key, const std::shared_ptr<Flight>& flight,
              std::optional<Result> result, std::exception_ptr error) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = flights_.find(key);
      if (it != flights_.end() && it->second == flight) flights_.erase(it);
    }
    {
      std::lock_guard<std::mutex> lock(flight->mutex_);
      flight->finished_ = true;
      flight->result_ = std::move(result);
      flight->error_ = error;
    }
    flight->done_.notify_all();
  }

  /// The leader runs `work`; followers wait for it. Errors reach everyone.
  Result run(const std::string& key, const std::function<Result()>& work) {
    Ticket ticket = join(key);
    if (!ticket.leader) return ticket.flight->wait();
    std::optional<Result> result;
    std::exception_ptr error;
    try {
      result = work();
    } catch (...) {
      error = std::current_exception();
    }
    finish(key, ticket.flight, result, error);
    if (error) std::rethrow_exception(error);
    return *result;
  }

  /// Flights in progress.
  std::size_t size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return flights_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Flight>> flights_;
};

}  // namespace strata
