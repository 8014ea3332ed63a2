#include "carerules/engine/engine.hpp"

#include "engine/engine_internal.hpp"
#include "engine/subject_evaluator.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <new>
#include <optional>
#include <numeric>
#include <span>
#include <thread>

namespace carerules {

using detail::kind_index;

namespace {

std::vector<Index> rank_of_ids(const Interner& ids) {
  std::vector<Index> order(ids.size());
  std::iota(order.begin(), order.end(), Index{0});
  std::sort(order.begin(), order.end(), [&](Index a, Index b) { return ids.name(a) < ids.name(b); });
  return order;  // subjects in id order
}


}  // namespace

namespace detail {

Activity CompiledScheme::activity_of_other_code(const Population& pop, Index row, SubjectKind kind) const {
  return scheme->codes.lookup(pop.events.system[row], pop.codes.name(pop.events.code[row]), kind).value_or(Activity::none);
}


}  // namespace detail

struct Evaluator::Compiled {
  detail::EngineContext ctx;
  std::vector<Scheme> schemes;
  std::vector<Index> resident_order;
  std::vector<Index> home_order;
  std::vector<Index> clinician_order;
  const LoadedPopulation* loaded = nullptr;  // its counts and findings go into every full evaluation
};

namespace {

void compile(detail::EngineContext& ctx, const std::vector<Scheme>& schemes) {
  const Population& pop = *ctx.population;
  ctx.schemes.clear();
  for (std::size_t i = 0; i < schemes.size(); ++i) {
    detail::CompiledScheme cs;
    cs.scheme = &schemes[i];
    cs.index = static_cast<std::uint16_t>(i);
    for (std::size_t k = 0; k < 3; ++k) {
      cs.code_activity[k].resize(pop.codes.size(), Activity::none);
      for (Index c = 0; c < pop.codes.size(); ++c)
        cs.code_activity[k][c] = schemes[i].codes.lookup(CodeSystem::snomed, pop.codes.name(c), static_cast<SubjectKind>(k)).value_or(Activity::none);
    }
    cs.clinician_groups.resize(pop.clinicians.size());
    for (Index c = 0; c < pop.clinicians.size(); ++c)
      cs.clinician_groups[c] = schemes[i].performer_groups_of(pop.clinicians.role[c], pop.clinicians.qualifications[c]);
    cs.requirement_masks.resize(schemes[i].obligations.size());
    for (std::size_t o = 0; o < schemes[i].obligations.size(); ++o) {
      const Obligation& ob = schemes[i].obligations[o];
      cs.obligations_of[kind_index(ob.subject)].push_back(static_cast<std::uint16_t>(o));
      for (const Requirement& req : ob.requirements) {
        cs.requirement_masks[o].push_back(detail::activity_mask(req.any_of));
        for (Activity a : req.any_of) cs.used[static_cast<std::size_t>(a)] = true;
      }
      if (ob.trigger != Activity::none) cs.used[static_cast<std::size_t>(ob.trigger)] = true;
      if (ob.anchor_activity != Activity::none) cs.used[static_cast<std::size_t>(ob.anchor_activity)] = true;
    }
    for (const StructuralRule& rule : schemes[i].structural)
      if (rule.check == StructuralCheck::registered_with_aligned_practice) cs.checks_registered_elsewhere = true;
    const Scheme& scheme = schemes[i];
    for (std::size_t a = 0; a < activity_count; ++a) {
      const PerformerSet set = scheme.activity_performers[a];
      for (std::size_t g = 0; g < scheme.performer_groups.size(); ++g)
        if ((set >> g) & 1U) cs.needs_qualified[a] = cs.needs_qualified[a] || !scheme.performer_groups[g].anyone;
    }
    detail::payment_model(scheme.payments.model).compile(scheme, cs);
    ctx.schemes.push_back(std::move(cs));
  }
  // A scheme superseded by another applies it only when that one is evaluated in the same run.
  for (detail::CompiledScheme& cs : ctx.schemes) {
    const std::string& by = cs.scheme->payments.superseded_by;
    for (std::size_t j = 0; j < schemes.size() && !by.empty(); ++j)
      if (schemes[j].id == by && j != cs.index) cs.superseded_by = static_cast<std::uint16_t>(j);
  }
}

}  // namespace

Evaluator::Evaluator(const Population& population, std::vector<Scheme> schemes, EvaluateOptions options)
    : compiled_(std::make_unique<Compiled>()) {
  if (schemes.size() > 65535) throw SchemeError("too many schemes");
  compiled_->schemes = std::move(schemes);
  compiled_->ctx.population = &population;
  compiled_->ctx.options = options;
  compile(compiled_->ctx, compiled_->schemes);
  compiled_->resident_order = rank_of_ids(population.residents.ids);
  compiled_->home_order = rank_of_ids(population.homes.ids);
  compiled_->clinician_order = rank_of_ids(population.clinicians.ids);
}

Evaluator::Evaluator(const LoadedPopulation& loaded, std::vector<Scheme> schemes, EvaluateOptions options)
    : Evaluator(loaded.population, std::move(schemes), options) {
  compiled_->loaded = &loaded;
}

Evaluator::~Evaluator() = default;
Evaluator::Evaluator(Evaluator&&) noexcept = default;
Evaluator& Evaluator::operator=(Evaluator&&) noexcept = default;

const Population& Evaluator::population() const noexcept { return *compiled_->ctx.population; }
const std::vector<Scheme>& Evaluator::schemes() const noexcept { return compiled_->schemes; }

namespace {

// Facts about homes and practices on the as-of date that every subject's evaluation reads.
void prepare(detail::EngineContext& ctx, Date as_of) {
  const Population& pop = *ctx.population;
  ctx.home_first_aligned_resident.assign(pop.homes.size(), no_date);
  for (Index s = 0; s < pop.stays.size(); ++s) {
    const Index h = pop.stays.home[s];
    const Date start = pop.stays.start[s];
    if (start > as_of || pop.homes.practice[h] == no_index) continue;
    if (pop.residents.practice[pop.stays.resident[s]] != pop.homes.practice[h]) continue;
    ctx.home_first_aligned_resident[h] = std::min(ctx.home_first_aligned_resident[h], start);
  }
  ctx.practice_aligned.assign(pop.practices.size(), 0);
  for (Index h = 0; h < pop.homes.size(); ++h)
    if (pop.homes.practice[h] != no_index) ctx.practice_aligned[pop.homes.practice[h]] = 1;
}

// An empty sink that writes into the storage of `result`'s rows (to_result's way back).
detail::Sink storage_of(EvaluationResult&& result) {
  detail::Sink sink{std::move(result.tasks), std::move(result.evidence), std::move(result.payments), std::move(result.findings)};
  sink.tasks.clear();
  sink.evidence.clear();
  sink.payments.clear();
  sink.findings.clear();
  return sink;
}

EvaluationResult to_result(const std::vector<Scheme>& schemes, Date as_of, detail::Sink&& sink) {
  EvaluationResult result;
  result.as_of = as_of;
  for (const Scheme& s : schemes) {
    const SchemeVersion* v = s.version_on(as_of);
    result.schemes.push_back(SchemeRef{s.id, v != nullptr ? v->version : std::string()});
  }
  result.tasks = std::move(sink.tasks);
  result.evidence = std::move(sink.evidence);
  result.payments = std::move(sink.payments);
  result.findings = std::move(sink.findings);
  return result;
}

}  // namespace

namespace {

// The work of one evaluation, cut into items that threads claim in turn, each thread writing its own sink;
// the rows are put together in item order, so the result is the same whatever the number of threads.
// Items, in output order: structural rules (one per rule), residents, homes and clinicians in id order in
// blocks. Counts over all events (population findings) are sums, gathered per thread and added after.
// Items are small enough to keep both threads busy to the end, large enough that taking one costs nothing.
constexpr std::size_t residents_per_item = 256;
constexpr std::size_t others_per_item = 32;  // homes, clinicians: fewer, each with more events
constexpr std::size_t events_per_item = 8192;

struct WorkPlan {
  std::vector<std::pair<std::size_t, std::size_t>> structural;  // (scheme, rule)
  std::size_t resident_items = 0;
  std::size_t home_items = 0;
  std::size_t clinician_items = 0;
  std::size_t event_items = 0;
  std::size_t sink_items() const noexcept { return structural.size() + resident_items + home_items + clinician_items; }
  std::size_t items() const noexcept { return sink_items() + event_items; }
};

std::size_t blocks(std::size_t n, std::size_t per) noexcept { return (n + per - 1) / per; }

// Items are claimed from both ends of the plan. The first thread takes them from the front, in order, so its
// sink holds the result's first rows where they will stay; the other threads take them from the back, and only
// their rows are copied after the first thread's. (Copying every thread's rows into a fresh result, one thread
// doing it while the others wait, held two threads to 1.3 times one.)
class ItemClaims {
 public:
  explicit ItemClaims(std::size_t items) : range_(static_cast<std::uint32_t>(items)) {}
  std::optional<std::size_t> from_front() noexcept { return claim(true); }
  std::optional<std::size_t> from_back() noexcept { return claim(false); }

 private:
  // The unclaimed items [front, back) in one word (front in the high half), so that the two ends never
  // claim the same item.
  std::atomic<std::uint64_t> range_;

  std::optional<std::size_t> claim(bool front_end) noexcept {
    std::uint64_t range = range_.load(std::memory_order_relaxed);
    for (;;) {
      const auto front = static_cast<std::uint32_t>(range >> 32);
      const auto back = static_cast<std::uint32_t>(range);
      if (front == back) return std::nullopt;
      const std::uint64_t rest = front_end ? range + (std::uint64_t{1} << 32) : range - 1;
      if (range_.compare_exchange_weak(range, rest, std::memory_order_relaxed)) return front_end ? front : back - 1U;
    }
  }
};

// The rows an evaluation is likely to write, from the population's size (measured: about one task and one
// evidence row per event, fewer payment lines), taken generously. The first thread's sink reserves them before
// it starts: storage this large is only address space until rows are written to it, so an estimate on the
// large side costs no memory, and it saves copying the rows each time a vector would have doubled.
// The other threads' sinks reserve twice their share.
void reserve_expected_rows(const Population& pop, std::size_t schemes, unsigned threads, unsigned thread,
                           detail::Sink& sink) {
  std::size_t rows = pop.events.size() + 4 * pop.residents.size() * std::max<std::size_t>(schemes, 1);
  if (thread != 0) rows = std::min(rows, 2 * rows / threads);
  try {
    detail::reserve_rows(sink.tasks, rows + rows / 4);
    detail::reserve_rows(sink.evidence, rows + rows / 4);
    detail::reserve_rows(sink.payments, rows / 2);
  } catch (const std::bad_alloc&) {
    // A system that refuses the address space up front: the vectors grow as rows come instead.
  }
}

// Where one work item's output lies in the sink of the thread that did it.
struct ItemOutput {
  unsigned thread = 0;
  std::size_t tasks = 0, tasks_end = 0, evidence = 0, evidence_end = 0, payments = 0, payments_end = 0, findings = 0,
              findings_end = 0;
};

// The result's rows: the first thread's sink (a prefix of the items, in order) followed by the other threads'
// items in item order, with evidence and task references moved with their rows.
detail::Sink join(std::vector<detail::Sink>& sinks, const std::vector<ItemOutput>& items) {
  detail::Sink into = std::move(sinks[0]);
  if (sinks.size() == 1) return into;  // one thread did every item, in order
  std::size_t tasks = into.tasks.size(), evidence = into.evidence.size(), payments = into.payments.size(),
              findings = into.findings.size();
  for (std::size_t t = 1; t < sinks.size(); ++t) {
    tasks += sinks[t].tasks.size();
    evidence += sinks[t].evidence.size();
    payments += sinks[t].payments.size();
    findings += sinks[t].findings.size();
  }
  detail::reserve_rows(into.tasks, tasks);
  detail::reserve_rows(into.evidence, evidence);
  detail::reserve_rows(into.payments, payments);
  into.findings.reserve(findings);
  for (const ItemOutput& item : items) {
    if (item.thread == 0) continue;  // already in place
    detail::Sink& from = sinks[item.thread];
    const auto evidence_shift = static_cast<std::int64_t>(into.evidence.size()) - static_cast<std::int64_t>(item.evidence);
    const auto task_shift = static_cast<std::int64_t>(into.tasks.size()) - static_cast<std::int64_t>(item.tasks);
    for (std::size_t t = item.tasks; t < item.tasks_end; ++t) {
      Task task = from.tasks[t];
      task.evidence_begin = static_cast<std::uint32_t>(task.evidence_begin + evidence_shift);
      into.tasks.push_back(task);
    }
    into.evidence.insert(into.evidence.end(), from.evidence.begin() + static_cast<std::ptrdiff_t>(item.evidence),
                         from.evidence.begin() + static_cast<std::ptrdiff_t>(item.evidence_end));
    for (std::size_t p = item.payments; p < item.payments_end; ++p) {
      PaymentLine line = from.payments[p];
      if (line.task != no_index) line.task = static_cast<Index>(line.task + task_shift);
      into.payments.push_back(line);
    }
    for (std::size_t f = item.findings; f < item.findings_end; ++f) into.findings.push_back(std::move(from.findings[f]));
  }
  return into;
}

}  // namespace

EvaluationResult Evaluator::evaluate(Date as_of) const {
  EvaluationResult result;
  evaluate(as_of, result);
  return result;
}

void Evaluator::evaluate(Date as_of, EvaluationResult& result) const {
  detail::EngineContext ctx = compiled_->ctx;
  prepare(ctx, as_of);
  const Population& pop = *ctx.population;

  WorkPlan plan;
  for (std::size_t s = 0; s < ctx.schemes.size(); ++s)
    for (std::size_t r = 0; r < ctx.schemes[s].scheme->structural.size(); ++r) plan.structural.emplace_back(s, r);
  plan.resident_items = blocks(compiled_->resident_order.size(), residents_per_item);
  plan.home_items = blocks(compiled_->home_order.size(), others_per_item);
  plan.clinician_items = blocks(compiled_->clinician_order.size(), others_per_item);
  plan.event_items = blocks(pop.events.size(), events_per_item);

  unsigned threads = ctx.options.threads == 0 ? std::max(1U, std::thread::hardware_concurrency()) : ctx.options.threads;
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(1, plan.items())));
  std::vector<detail::Sink> sinks(threads);  // one per thread; items append to their thread's sink
  // The first thread's rows stay where they are written (see ItemClaims): in the storage `result` has.
  sinks[0] = storage_of(std::move(result));
  std::vector<ItemOutput> outputs(plan.sink_items());
  std::vector<detail::EventCounts> counts(threads);
  ItemClaims claims(plan.items());
  auto slice = [](const std::vector<Index>& order, std::size_t item, std::size_t per_item) {
    const std::size_t begin = item * per_item;
    return std::span<const Index>(order).subspan(begin, std::min(per_item, order.size() - begin));
  };
  auto run_item = [&](std::size_t item, detail::Sink& sink) {
    std::size_t i = item;
    if (i < plan.structural.size()) {
      const auto [s, r] = plan.structural[i];
      detail::structural_rule_findings(ctx, ctx.schemes[s], ctx.schemes[s].scheme->structural[r], as_of, compiled_->home_order,
                                       compiled_->resident_order, sink);
      return;
    }
    i -= plan.structural.size();
    detail::SubjectEvaluator ev(ctx, as_of, sink);
    if (i < plan.resident_items) {
      for (Index r : slice(compiled_->resident_order, i, residents_per_item)) ev.resident(r);
      return;
    }
    i -= plan.resident_items;
    if (i < plan.home_items) {
      for (Index h : slice(compiled_->home_order, i, others_per_item)) ev.home(h);
      return;
    }
    i -= plan.home_items;
    for (Index c : slice(compiled_->clinician_order, i, others_per_item)) ev.clinician(c);
  };
  auto work = [&](unsigned thread) {
    detail::Sink& sink = sinks[thread];
    reserve_expected_rows(pop, ctx.schemes.size(), threads, thread, sink);
    auto claim = [&] { return thread == 0 ? claims.from_front() : claims.from_back(); };
    for (std::optional<std::size_t> claimed = claim(); claimed; claimed = claim()) {
      const std::size_t item = *claimed;
      if (item < plan.sink_items()) {
        ItemOutput& out = outputs[item];
        out = ItemOutput{thread, sink.tasks.size(), 0, sink.evidence.size(), 0, sink.payments.size(), 0, sink.findings.size(), 0};
        run_item(item, sink);
        out.tasks_end = sink.tasks.size();
        out.evidence_end = sink.evidence.size();
        out.payments_end = sink.payments.size();
        out.findings_end = sink.findings.size();
        continue;
      }
      const std::size_t begin = (item - plan.sink_items()) * events_per_item;
      detail::count_events(ctx, as_of, static_cast<Index>(begin),
                           static_cast<Index>(std::min(pop.events.size(), begin + events_per_item)), counts[thread]);
    }
  };
  if (threads <= 1) {
    work(0);
  } else {
    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t);
    work(0);
    for (auto& th : pool) th.join();
  }

  detail::Sink sink = join(sinks, outputs);
  sinks.clear();
  for (std::size_t t = 1; t < counts.size(); ++t) counts[0].add(counts[t]);
  detail::population_findings(ctx, counts[0], sink);
  result = to_result(compiled_->schemes, as_of, std::move(sink));
  if (const LoadedPopulation* loaded = compiled_->loaded) {
    result.input = loaded->total;
    result.findings.insert(result.findings.begin(), loaded->findings.begin(), loaded->findings.end());
  }
}

EvaluationResult Evaluator::evaluate_resident(Index resident, Date as_of) const {
  const detail::EngineContext& ctx = compiled_->ctx;
  if (resident >= ctx.population->residents.size()) throw std::out_of_range("no resident with index " + std::to_string(resident));
  // No prepare(): a resident's tasks and lines read only the resident's own records and the homes' table,
  // which keeps this path at microseconds for a vendor re-evaluating after one new event.
  detail::Sink sink;
  detail::SubjectEvaluator ev(ctx, as_of, sink);
  ev.resident(resident);
  return to_result(compiled_->schemes, as_of, std::move(sink));
}

EvaluationResult evaluate(const Population& population, const std::vector<Scheme>& schemes, Date as_of,
                          EvaluateOptions options) {
  return Evaluator(population, schemes, options).evaluate(as_of);
}

EvaluationResult evaluate(const LoadedPopulation& loaded, const std::vector<Scheme>& schemes, Date as_of,
                          EvaluateOptions options) {
  return Evaluator(loaded, schemes, options).evaluate(as_of);
}

std::string_view to_string(TaskStatus v) noexcept {
  switch (v) {
    case TaskStatus::upcoming: return "upcoming";
    case TaskStatus::open: return "open";
    case TaskStatus::overdue: return "overdue";
    case TaskStatus::done: return "done";
    case TaskStatus::late: return "late";
    case TaskStatus::missed: return "missed";
    case TaskStatus::cancelled: return "cancelled";
  }
  return {};
}

std::optional<TaskStatus> task_status_from_string(std::string_view s) noexcept {
  for (auto v : {TaskStatus::upcoming, TaskStatus::open, TaskStatus::overdue, TaskStatus::done, TaskStatus::late,
                 TaskStatus::missed, TaskStatus::cancelled})
    if (to_string(v) == s) return v;
  return std::nullopt;
}

std::string_view to_string(PaymentKind v) noexcept {
  switch (v) {
    case PaymentKind::new_resident: return "new";
    case PaymentKind::existing: return "existing";
    case PaymentKind::temporary: return "temporary";
    case PaymentKind::initial_review: return "initial_review";
    case PaymentKind::review: return "review";
    case PaymentKind::health_review: return "health_review";
  }
  return {};
}

std::optional<PaymentKind> payment_kind_from_string(std::string_view s) noexcept {
  for (auto v : {PaymentKind::new_resident, PaymentKind::existing, PaymentKind::temporary, PaymentKind::initial_review,
                 PaymentKind::review, PaymentKind::health_review})
    if (to_string(v) == s) return v;
  return std::nullopt;
}

std::string_view to_string(ClaimStatus v) noexcept {
  switch (v) {
    case ClaimStatus::payable: return "payable";
    case ClaimStatus::pending: return "pending";
    case ClaimStatus::withheld: return "withheld";
    case ClaimStatus::unpriced: return "unpriced";
    case ClaimStatus::superseded: return "superseded";
  }
  return {};
}

}  // namespace carerules
