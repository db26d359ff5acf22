package demo

import (
	"bytes"
	"strconv"
)

const taskCount = 20_000

var taskFields = []field{
	standard("id", "integer", "ID"),
	standard("title", "string", "Task name"),
	standard("timeEstimate", "integer", "Planned time, seconds"),
	standard("status", "integer", "Status"),
	standard("priority", "integer", "Priority"),
	standard("responsibleId", "user", "Assignee"),
	standard("groupId", "integer", "Project"),
	standard("createdDate", "datetime", "Created on"),
	standard("deadline", "datetime", "Deadline"),
	standard("closedDate", "datetime", "Completed on"),
	userField("UF_CRM_COST", "money", "Cost of work"),
	userField("UF_CRM_BILLABLE", "boolean", "Billable"),
	userField("UF_CRM_HOURS", "double", "Hours spent"),
	userField("UF_CRM_INVOICE_DATE", "date", "Invoice date"),
}

// Bitrix24 task statuses.
const (
	taskPending         = 2
	taskInProgress      = 3
	taskAwaitingControl = 4
	taskCompleted       = 5
	taskDeferred        = 6
	taskDeclined        = 7
)

// Bitrix24 task priorities.
const (
	taskPriorityLow    = 0
	taskPriorityNormal = 1
	taskPriorityHigh   = 2
)

const (
	// projectCount is the number of workgroups (projects) that tasks belong
	// to, with ids 1 to projectCount.
	projectCount = 30

	// The hourly rate of billable work ranges from 1,500 to 6,000 roubles.
	hourlyRateMinKopecks = 150_000
	hourlyRateMaxKopecks = 600_000

	quarterHourSeconds = 900
)

var (
	doneStatuses      = []int{taskCompleted, taskAwaitingControl, taskDeclined}
	doneStatusWeights = []int{900, 60, 40}
	openStatuses      = []int{taskPending, taskInProgress, taskDeferred, taskAwaitingControl}
	openStatusWeights = []int{400, 350, 150, 100}
	priorities        = []int{taskPriorityNormal, taskPriorityHigh, taskPriorityLow}
	priorityWeights   = []int{700, 200, 100}
	projects          = zipfChoices(numberStrings(projectCount))
)

func writeTasks(g *generator, out *bytes.Buffer) {
	id := 0
	for _, created := range g.creationTimes(taskCount) {
		id = g.nextID(id)
		writeTask(g, beginRecord(out), id, created)
	}
}

func writeTask(g *generator, w *recordWriter, id int, created int64) {
	ageDays := int((snapshot - created) / day)

	// The older a task, the likelier it is done, up to 85% after 70 days.
	status := openStatuses[g.weightedIndex(openStatusWeights)]
	done := g.chance(min(850, 150+ageDays*10))
	if done {
		status = doneStatuses[g.weightedIndex(doneStatusWeights)]
	}

	w.set("id", g.id(id))
	w.set("title", g.taskTitle())

	switch r := g.intn(1000); {
	case r < 10:
		w.set("timeEstimate", g.blank())
	case r < 450:
		w.set("timeEstimate", g.integer(0))
	case r < 970:
		w.set("timeEstimate", g.integer(quarterHourSeconds*g.between(1, 32)))
	default:
		w.set("timeEstimate", g.integer(quarterHourSeconds*g.between(33, 160)))
	}

	w.set("status", g.integer(status))
	w.set("priority", g.integer(priorities[g.weightedIndex(priorityWeights)]))
	w.set("responsibleId", g.user(taskUsers, 5))

	switch r := g.intn(1000); {
	case r < 10:
		w.set("groupId", g.blank())
	case r < 400:
		w.set("groupId", g.integer(0))
	default:
		w.set("groupId", g.numberText(g.choose(projects), 30))
	}

	w.set("createdDate", g.datetime(created))
	if g.chance(600) {
		w.set("deadline", g.datetime(g.deadline(created)))
	} else {
		w.set("deadline", g.blank())
	}

	closed := int64(0)
	if done {
		closed = g.later(created, 60*day)
	}
	if done && g.chance(980) {
		w.set("closedDate", g.datetime(closed))
	} else {
		w.set("closedDate", g.blank())
	}

	writeTaskUserFields(g, w, status, done, closed)
	w.end()
}

func writeTaskUserFields(g *generator, w *recordWriter, status int, done bool, closed int64) {
	billable := g.chance(350)
	quarterHours := 0
	if done || status == taskInProgress {
		quarterHours = g.between(1, 48)
	}

	if quarterHours > 0 && billable {
		rate := g.between64(hourlyRateMinKopecks/100, hourlyRateMaxKopecks/100) * 100
		w.set("UF_CRM_COST", g.money(rate*int64(quarterHours)/4, "RUB"))
	} else {
		w.set("UF_CRM_COST", g.blank())
	}

	if g.chance(30) {
		w.set("UF_CRM_BILLABLE", g.blank())
	} else {
		w.set("UF_CRM_BILLABLE", g.boolean(billable))
	}

	if quarterHours > 0 && g.chance(900) {
		w.set("UF_CRM_HOURS", g.numberText(quarterHoursText(quarterHours), 100))
	} else {
		w.set("UF_CRM_HOURS", g.blank())
	}

	if billable && status == taskCompleted && g.chance(900) {
		w.set("UF_CRM_INVOICE_DATE", g.userFieldDate(g.later(closed, 10*day)))
	} else {
		w.set("UF_CRM_INVOICE_DATE", g.blank())
	}
}

// taskTitle writes an action on a client company, "Send invoice to Maple
// Foods", or an internal chore.
func (g *generator) taskTitle() string {
	switch r := g.intn(1000); {
	case r < 3:
		return g.blank()
	case r < 700:
		return quote(g.pick(taskActions) + " " + companyName(g.between(1, companyCount)))
	default:
		return quote(g.pick(internalTasks))
	}
}

// deadline returns a deadline 1 to 30 days after created, at 18:00 or 19:00
// Moscow time, the end of the working day.
func (g *generator) deadline(created int64) int64 {
	// portalStart is a Moscow midnight and Moscow days are all 86,400
	// seconds long, so this is the midnight that starts the creation day.
	midnight := created - (created-portalStart)%day
	return midnight + int64(g.between(1, 30))*day + int64(g.between(18, 19))*hour
}

// quarterHoursText writes n quarter hours in hours: 6 is "1.5" and 3 is
// "0.75".
func quarterHoursText(n int) string {
	whole := strconv.Itoa(n / 4)
	switch n % 4 {
	case 1:
		return whole + ".25"
	case 2:
		return whole + ".5"
	case 3:
		return whole + ".75"
	default:
		return whole
	}
}

// numberStrings returns the decimal texts of 1 to n.
func numberStrings(n int) []string {
	values := make([]string, n)
	for i := range values {
		values[i] = strconv.Itoa(i + 1)
	}
	return values
}
