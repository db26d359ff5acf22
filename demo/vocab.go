package demo

import "strconv"

// Vocabularies of the demo portal. The word lists are made up for this
// package. The status, source and stage codes are the identifiers Bitrix24
// ships with a new portal.

// salesUsers weights the ids of the portal's 40 employees by how many
// contacts and deals they are responsible for. The ids are listed most
// records first, and zipfChoices gives the first one about 43% of them.
var salesUsers = zipfChoices([]string{
	"7", "1", "23", "15", "42", "31", "12", "56", "38", "19",
	"60", "45", "24", "67", "51", "74", "63", "70", "83", "79",
	"88", "91", "95", "102", "107", "110", "115", "118", "121", "126",
	"130", "134", "139", "142", "147", "151", "156", "160", "163", "170",
})

// taskUsers ranks the same employees by the number of tasks they are
// responsible for, an order unrelated to salesUsers.
var taskUsers = zipfChoices([]string{
	"88", "63", "12", "107", "31", "1", "134", "45", "160", "19",
	"7", "70", "95", "151", "24", "121", "38", "67", "139", "56",
	"110", "83", "163", "15", "142", "74", "118", "51", "91", "126",
	"60", "147", "23", "102", "130", "79", "156", "42", "170", "115",
})

var contactTypes = []choice{
	{"CLIENT", 600}, {"OTHER", 140}, {"PARTNER", 120}, {"SUPPLIER", 100},
}

// sources includes UC_3FJ9QK, a custom source added by a portal
// administrator. Bitrix24 gives custom statuses generated ids of this form.
var sources = []choice{
	{"WEB", 290}, {"CALL", 200}, {"EMAIL", 150}, {"ADVERTISING", 100},
	{"RECOMMENDATION", 90}, {"PARTNER", 60}, {"TRADE_SHOW", 40}, {"OTHER", 40},
	{"UC_3FJ9QK", 10},
}

var currencies = []choice{
	{"RUB", 700}, {"USD", 120}, {"EUR", 80}, {"KZT", 60}, {"BYN", 40},
}

var firstNames = []string{
	"Adam", "Alice", "Amelia", "Andrew", "Anna", "Ben", "Chloe", "Daniel",
	"David", "Ella", "Emily", "Emma", "Ethan", "George", "Grace", "Hannah",
	"Harry", "Isla", "Jack", "Jacob", "James", "Jessica", "Kate", "Leo",
	"Lily", "Lucas", "Lucy", "Mark", "Mary", "Mia", "Michael", "Nathan",
	"Noah", "Olivia", "Oscar", "Paul", "Peter", "Rachel", "Robert", "Ruby",
	"Ryan", "Samuel", "Sarah", "Sophie", "Thomas", "Victoria", "William",
	"Zoe", "Zoë", "Renée", "José", "Søren", "Łukasz",
}

var lastNames = []string{
	"Abbott", "Archer", "Baker", "Barnes", "Bell", "Brooks", "Carter",
	"Clarke", "Cole", "Cooper", "Davies", "Dixon", "Edwards", "Ellis",
	"Evans", "Fisher", "Foster", "Gray", "Green", "Hall", "Harper", "Hayes",
	"Hill", "Hughes", "Hunt", "Jenkins", "Kelly", "King", "Knight", "Lane",
	"Lawson", "Lee", "Marsh", "Mason", "Miles", "Moore", "Morgan", "Murray",
	"Palmer", "Parker", "Pearce", "Reed", "Reid", "Rhodes", "Rose", "Shaw",
	"Stone", "Turner", "Walsh", "Ward", "Webb", "West", "Wood", "Young",
	"O'Brien", "Müller",
}

var middleNames = []string{
	"A.", "J.", "M.", "R.", "Lee", "Marie", "James", "Anne", "Louise", "John",
}

var posts = []string{
	"CEO", "CFO", "CTO", "Sales Manager", "Head of Sales", "Account Manager",
	"Procurement Manager", "Purchasing Specialist", "Office Manager",
	"Marketing Director", "Marketing Manager", "IT Manager",
	"Operations Director", "Project Manager", "Chief Accountant",
	"Accountant", "Lawyer", "HR Manager", "Logistics Manager", "Owner",
	"Founder", "Engineer", "Consultant", "Assistant", "Director",
}

var contactComments = []string{
	"Prefers email over calls.",
	"Met at the spring trade show.",
	"Asked for a callback next quarter.",
	"Budget approval pending.",
	"Key decision maker.",
	"Only available in the mornings.",
	"Requested the price list in EUR.",
	"Former employee of a competitor.",
	"Interested in the annual plan.",
	"Do not call on Fridays.",
}

var segments = []choice{
	{"SMB", 440}, {"Mid-market", 250}, {"Enterprise", 120}, {"Startup", 100},
	{"Public sector", 50}, {"smb", 10},
}

var contactTags = []string{
	"newsletter", "webinar", "trial", "reseller", "wholesale", "retail",
	"churn-risk", "upsell", "referral", "event-2024", "event-2025", "priority",
}

var tierItems = []enumItem{
	{"41", "Bronze"}, {"42", "Silver"}, {"43", "Gold"}, {"44", "Platinum"},
}

var regionItems = []enumItem{
	{"101", "Central"}, {"102", "North-West"}, {"103", "South"},
	{"104", "Volga"}, {"105", "Urals"}, {"106", "Siberia"}, {"107", "Export"},
}

var products = []string{
	"CRM licence", "Cloud storage", "Support plan", "Onboarding",
	"Training", "Integration", "Hardware kit", "Consulting hours",
	"Mobile app", "Analytics add-on",
}

var companyWords = []string{
	"Blue", "Granite", "Silver", "Maple", "Harbor", "Summit", "Cedar",
	"Falcon", "Amber", "Orbit", "Crimson", "Pioneer", "Willow", "Atlas",
	"Beacon", "Copper", "Delta", "Ember", "Frost", "Juniper", "Lumen",
	"Meadow", "Nova", "Quarry",
}

var companyKinds = []string{
	"Logistics", "Foods", "Systems", "Labs", "Trading", "Works", "Group",
	"Retail", "Motors", "Media", "Textiles", "Pharma", "Energy", "Build",
	"Software", "Partners",
}

// companyCount is the number of companies that contacts and deals refer to,
// with ids 1 to companyCount.
const companyCount = 2400

// companyName derives a company's name from its id, so that every deal of a
// company carries the same name in its title.
func companyName(id int) string {
	word := companyWords[id%len(companyWords)]
	kind := companyKinds[(id/len(companyWords))%len(companyKinds)]
	name := word + " " + kind
	if id >= len(companyWords)*len(companyKinds) {
		name += " " + strconv.Itoa(id/(len(companyWords)*len(companyKinds))+1)
	}
	return name
}

var taskActions = []string{
	"Call", "Email", "Send proposal to", "Send invoice to",
	"Prepare contract for", "Schedule demo with", "Follow up with",
	"Update price list for", "Collect feedback from", "Arrange meeting with",
	"Check payment from", "Renew licence for",
}

var internalTasks = []string{
	"Prepare monthly sales report", "Update CRM pipeline stages",
	"Review open deals", "Clean up duplicate contacts",
	"Plan trade show booth", "Write newsletter", "Onboard new manager",
	"Fix website contact form", "Translate product sheet",
	"Archive closed projects",
}
