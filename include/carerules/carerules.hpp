// Everything a program embedding carerules uses, in one include. Each layer's headers can also be included
// on their own (docs/architecture.md lists the layers: core, model, io, schemes, engine, results, reports).
#pragma once

#include "carerules/core/calendar.hpp"
#include "carerules/core/dates.hpp"
#include "carerules/core/errors.hpp"
#include "carerules/core/money.hpp"
#include "carerules/engine/engine.hpp"
#include "carerules/engine/result.hpp"
#include "carerules/io/codelist.hpp"
#include "carerules/io/json_loader.hpp"
#include "carerules/model/findings.hpp"
#include "carerules/model/model.hpp"
#include "carerules/model/population_builder.hpp"
#include "carerules/model/residence.hpp"
#include "carerules/reports/budget.hpp"
#include "carerules/reports/cohort.hpp"
#include "carerules/reports/reports.hpp"
#include "carerules/results/columns.hpp"
#include "carerules/results/describe.hpp"
#include "carerules/results/output.hpp"
#include "carerules/schemes/scheme.hpp"
