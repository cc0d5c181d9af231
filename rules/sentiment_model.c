/* sentiment_model.c - builds the sentiment model: the valence lexicon and
 * emoji lexicon (compiled in from rules/lexicon/), hark's own vocabulary
 * for boosters, negation, contrast and support complaints, and the phrase
 * table, all in one open-addressing hash table keyed by lower-cased token.
 *
 * The valences in the tables below are hark's own ratings on the lexicon's
 * -4..+4 scale.
 */
#include "hark/sentiment.h"
#include "sentiment_internal.h"

#include <math.h>
#include <string.h>

#define B_INCR 0.293f
#define B_DECR -0.293f

struct word_rule {
	const char *word;
	uint32_t flags;
	float valence; /* NAN: keep the lexicon's */
};

/* Intensifiers and dampeners (SF_BOOST); the booster scalar comes from
 * the sign of the valence column. */
static const char *const boosters_up[] = {
	"absolutely", "amazingly", "awfully", "completely", "considerably",
	"decidedly", "deeply", "effing", "enormously", "entirely",
	"especially", "exceptionally", "extremely", "fabulously", "flipping",
	"flippin", "fricking", "frickin", "frigging", "friggin", "fully",
	"fucking", "freaking", "greatly", "hella", "highly", "hugely",
	"incredibly", "intensely", "majorly", "more", "most", "particularly",
	"purely", "quite", "really", "remarkably", "so", "substantially",
	"thoroughly", "totally", "tremendously", "uber", "unbelievably",
	"unusually", "utterly", "very", "way", "too", "truly", "seriously",
	"insanely", "ridiculously", "super", "much", "even", "extra", "soo",
	"sooo", "soooo", "mega", "damn", "pretty", "real", "crazy", "bloody",
};
static const char *const boosters_down[] = {
	"almost", "barely", "hardly", "marginally", "occasionally", "partly",
	"scarcely", "slightly", "somewhat", "kinda", "sorta", "kindof",
	"sortof", "less", "mildly", "fairly", "bit", "rather",
};
/* Boosters that are also valence words: they boost when a valence word
 * follows and carry their own valence otherwise ("pretty" alone). */
static const char *const dual_boosters[] = {
	"super", "damn", "pretty", "real", "crazy", "bloody", "fucking",
	"freaking", "seriously", "ridiculously", "insanely", "bit",
};

static const char *const negators[] = {
	"not", "no", "never", "none", "nobody", "nothing", "neither", "nor",
	"nowhere", "cannot", "without", "zero", "isn't", "isnt", "aren't",
	"arent", "wasn't", "wasnt", "weren't", "werent", "don't", "dont",
	"doesn't", "doesnt", "didn't", "didnt", "can't", "cant", "couldn't",
	"couldnt", "won't", "wont", "wouldn't", "wouldnt", "shouldn't",
	"shouldnt", "hasn't", "hasnt", "haven't", "havent", "hadn't",
	"hadnt", "ain't", "aint", "mustn't", "mightn't", "needn't",
	"neednt", "daren't", "rarely", "seldom", "nope", "nah", "neva",
};

static const char *const numbers[] = {
	"one", "two", "three", "four", "five", "six", "seven", "eight",
	"nine", "ten", "eleven", "twelve", "thirteen", "fifteen", "twenty",
	"thirty", "forty", "fifty", "sixty", "hundred", "dozen", "several",
	"multiple", "countless", "numerous", "many",
};
static const char *const ordinals[] = {
	"third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
	"tenth", "umpteenth", "nth", "hundredth", "millionth", "twentieth",
	"fifteenth", "twelfth", "eleventh",
};

static const struct word_rule word_rules[] = {
	/* contrast and concession */
	{"but", SF_BUT, 0}, {"however", SF_BUT, 0}, {"nevertheless", SF_BUT, 0},
	{"nonetheless", SF_BUT, 0}, {"although", SF_THOUGH, 0},
	{"though", SF_THOUGH, 0}, {"tho", SF_THOUGH, 0},
	{"whereas", SF_THOUGH, 0},
	/* support vocabulary: asking for help is not praise */
	{"support", SF_NEUTRAL, 0}, {"help", SF_NEUTRAL, 0},
	{"helps", SF_NEUTRAL, 0}, {"please", SF_NEUTRAL, 0},
	{"pls", SF_NEUTRAL, 0}, {"plz", SF_NEUTRAL, 0},
	{"want", SF_NEUTRAL, 0}, {"wants", SF_NEUTRAL, 0},
	{"wanted", SF_NEUTRAL, 0}, {"wanting", SF_NEUTRAL, 0},
	{"credit", SF_NEUTRAL, 0}, {"customer", SF_NEUTRAL, 0},
	{"chance", SF_NEUTRAL, 0}, {"party", SF_NEUTRAL, 0},
	{"united", SF_NEUTRAL, 0}, {"share", SF_NEUTRAL, 0},
	{"shares", SF_NEUTRAL, 0}, {"dear", SF_NEUTRAL, 0},
	{"reach", SF_NEUTRAL, 0}, {"solution", SF_NEUTRAL, 0},
	{"solutions", SF_NEUTRAL, 0}, {"kindly", SF_NEUTRAL, 0},
	{"matter", SF_NEUTRAL, 0}, {"ensure", SF_NEUTRAL, 0},
	/* politeness that a complaint must not turn positive */
	{"thanks", SF_POLITE | SF_INTERJ, NAN}, {"thank", SF_POLITE, NAN},
	{"thx", SF_POLITE, 1.5f}, {"ty", SF_POLITE, 1.2f},
	{"appreciate", SF_POLITE, NAN}, {"appreciated", SF_POLITE, NAN},
	{"ok", SF_POLITE, 0.6f}, {"okay", SF_POLITE, 0.5f},
	{"welcome", SF_POLITE, NAN}, {"sorry", SF_POLITE, NAN},
	{"cheers", SF_POLITE, NAN}, {"hi", SF_POLITE, 0},
	{"hope", SF_POLITE, NAN}, {"hoping", SF_POLITE, NAN},
	{"hopefully", SF_POLITE, NAN}, {"wish", SF_POLITE, NAN},
	{"yes", SF_POLITE, NAN}, {"yeah", SF_POLITE, NAN},
	{"sure", SF_POLITE, NAN}, {"well", SF_POLITE, NAN},
	{"true", SF_POLITE, NAN}, {"clear", SF_POLITE, NAN},
	{"lol", SF_POLITE, NAN}, {"lmao", SF_POLITE, NAN},
	{"haha", SF_POLITE, NAN}, {"hahaha", SF_POLITE, NAN},
	/* interjections that read as sarcasm ("Great, another update") */
	{"great", SF_INTERJ, NAN}, {"wonderful", SF_INTERJ, NAN},
	{"fantastic", SF_INTERJ, NAN}, {"perfect", SF_INTERJ, NAN},
	{"awesome", SF_INTERJ, NAN}, {"brilliant", SF_INTERJ, NAN},
	{"lovely", SF_INTERJ, NAN}, {"nice", SF_INTERJ, NAN},
	{"terrific", SF_INTERJ, NAN}, {"marvelous", SF_INTERJ, NAN},
	{"marvellous", SF_INTERJ, NAN}, {"splendid", SF_INTERJ, NAN},
	{"amazing", SF_INTERJ, NAN}, {"excellent", SF_INTERJ, NAN},
	{"cool", SF_INTERJ, NAN}, {"sweet", SF_INTERJ, NAN},
	{"fabulous", SF_INTERJ, NAN}, {"superb", SF_INTERJ, NAN},
	{"yay", SF_INTERJ, NAN}, {"wow", SF_INTERJ, NAN},
	{"good", SF_INTERJ, NAN}, {"super", SF_INTERJ, NAN},
	/* words that mean "complaint" when the news is bad */
	{"still", SF_CONTEXT, 0}, {"again", SF_CONTEXT, 0},
	{"anymore", SF_CONTEXT, 0}, {"already", SF_CONTEXT, 0},
	/* comparatives */
	{"better", SF_COMPARATIVE, NAN}, {"worse", SF_COMPARATIVE, NAN},
	{"superior", SF_COMPARATIVE, NAN}, {"inferior", SF_COMPARATIVE, NAN},
	{"faster", SF_COMPARATIVE, 1.2f}, {"slower", SF_COMPARATIVE, -1.2f},
	{"cheaper", SF_COMPARATIVE, 0.8f}, {"easier", SF_COMPARATIVE, 1.2f},
	{"nicer", SF_COMPARATIVE, 1.5f}, {"smoother", SF_COMPARATIVE, 1.2f},
	{"like", SF_LIKE, NAN}, {"likes", SF_LIKE, NAN},
	{"kind", SF_KINDSORT, NAN}, {"sort", SF_KINDSORT, 0},
	{"least", SF_LEAST, NAN}, {"too", SF_TOO, 0},
	/* praise that "too" boosts ("too cute"); before other positive
	 * words "too" is excess ("too strong") */
	{"good", SF_PRAISE, NAN}, {"great", SF_PRAISE, NAN},
	{"cute", SF_PRAISE, NAN}, {"funny", SF_PRAISE, NAN},
	{"amazing", SF_PRAISE, NAN}, {"beautiful", SF_PRAISE, NAN},
	{"perfect", SF_PRAISE, NAN}, {"awesome", SF_PRAISE, NAN},
	{"lovely", SF_PRAISE, NAN}, {"kind", SF_PRAISE, NAN},
	{"nice", SF_PRAISE, NAN}, {"adorable", SF_PRAISE, NAN},
	{"cool", SF_PRAISE, NAN}, {"brilliant", SF_PRAISE, NAN},
	{"excellent", SF_PRAISE, NAN}, {"fun", SF_PRAISE, NAN},
	{"happy", SF_PRAISE, NAN}, {"generous", SF_PRAISE, NAN},
	{"sweet", SF_PRAISE, NAN}, {"pretty", SF_PRAISE, NAN},
	/* subjects and adverbs that make "like" a verb */
	{"i", SF_SUBJECT, 0}, {"we", SF_SUBJECT, 0}, {"you", SF_SUBJECT | SF_TARGETPRON, 0},
	{"they", SF_SUBJECT, 0}, {"he", SF_SUBJECT, 0}, {"she", SF_SUBJECT, 0},
	{"people", SF_SUBJECT, 0}, {"everyone", SF_SUBJECT, 0},
	{"really", SF_SUBJECT | SF_BOOST, 0}, {"do", SF_SUBJECT, 0},
	{"did", SF_SUBJECT, 0}, {"does", SF_SUBJECT, 0},
	{"would", SF_SUBJECT, 0}, {"i'd", SF_SUBJECT, 0},
	{"to", SF_SUBJECT, 0}, {"also", SF_SUBJECT, 0},
	{"just", SF_SUBJECT, 0}, {"actually", SF_SUBJECT, 0},
	{"totally", SF_SUBJECT | SF_BOOST, 0}, {"definitely", SF_SUBJECT, 0},
	{"kids", SF_SUBJECT, 0}, {"who", SF_SUBJECT, 0},
	{"might", SF_SUBJECT, 0}, {"will", SF_SUBJECT, 0},
	{"this", SF_TARGETPRON, 0}, {"it", SF_TARGETPRON, 0},
	{"yours", SF_TARGETPRON, 0}, {"ours", SF_TARGETPRON, 0},
	{"these", SF_TARGETPRON, 0}, {"y'all", SF_TARGETPRON, 0},
	/* complaint vocabulary */
	{"refund", SF_COMPLAINT, -1.2f}, {"refunds", SF_COMPLAINT, -1.0f},
	{"waiting", SF_COMPLAINT, -0.8f}, {"waited", SF_COMPLAINT, -1.0f},
	{"cancel", SF_COMPLAINT, -1.2f}, {"cancelled", SF_COMPLAINT, -1.3f},
	{"canceled", SF_COMPLAINT, -1.3f}, {"cancelling", SF_COMPLAINT, -1.3f},
	{"canceling", SF_COMPLAINT, -1.3f}, {"cancellation", SF_COMPLAINT, -1.0f},
	{"unsubscribe", SF_COMPLAINT, -1.0f}, {"chargeback", SF_COMPLAINT, -2.0f},
	{"overcharged", SF_COMPLAINT, -2.2f}, {"overcharging", SF_COMPLAINT, -2.2f},
	{"scammed", SF_COMPLAINT, -2.6f}, {"ripoff", SF_COMPLAINT, -2.5f},
	{"deletes", SF_COMPLAINT, -1.5f}, {"deleted", SF_COMPLAINT, -1.2f},
	{"wiped", SF_COMPLAINT, -1.4f}, {"erased", SF_COMPLAINT, -1.2f},
	{"glitch", SF_COMPLAINT, -1.5f}, {"glitches", SF_COMPLAINT, -1.6f},
	{"glitchy", SF_COMPLAINT, -1.8f}, {"buggy", SF_COMPLAINT, -2.0f},
	{"bug", SF_COMPLAINT, -1.0f}, {"bugs", SF_COMPLAINT, -1.2f},
	{"crashes", SF_COMPLAINT, -2.0f},
	{"crashed", SF_COMPLAINT, -2.0f}, {"crashing", SF_COMPLAINT, -2.0f},
	{"freezes", SF_COMPLAINT, -1.8f}, {"froze", SF_COMPLAINT, -1.6f},
	{"laggy", SF_COMPLAINT, -1.5f}, {"lag", SF_COMPLAINT, -1.0f},
	{"lags", SF_COMPLAINT, -1.2f}, {"outage", SF_COMPLAINT, -2.0f},
	{"outages", SF_COMPLAINT, -2.0f}, {"unresponsive", SF_COMPLAINT, -1.8f},
	{"disconnects", SF_COMPLAINT, -1.5f}, {"disconnected", SF_COMPLAINT, -1.2f},
	{"disconnecting", SF_COMPLAINT, -1.5f},
	{"unusable", SF_COMPLAINT, -2.5f}, {"unacceptable", SF_COMPLAINT, -2.5f},
	{"ignored", SF_COMPLAINT, -1.6f}, {"ignoring", SF_COMPLAINT, -1.6f},
	{"excuses", SF_COMPLAINT, -1.3f}, {"escalate", SF_COMPLAINT, -1.0f},
	{"escalated", SF_COMPLAINT, -1.0f},
	{"defective", SF_COMPLAINT, -2.3f}, {"faulty", SF_COMPLAINT, -2.0f},
	{"doa", SF_COMPLAINT, -2.5f}, {"overpriced", SF_COMPLAINT, -1.8f},
	{"flimsy", SF_COMPLAINT, -1.5f}, {"cheaply", SF_COMPLAINT, -1.3f},
	{"leaks", SF_COMPLAINT, -1.5f}, {"leaking", SF_COMPLAINT, -1.5f},
	{"downgrade", SF_COMPLAINT, -1.5f}, {"unreliable", SF_COMPLAINT, -2.0f},
	{"bricked", SF_COMPLAINT, -2.5f}, {"hangs", SF_COMPLAINT, -1.2f},
	{"malfunction", SF_COMPLAINT, -2.0f}, {"malfunctioning", SF_COMPLAINT, -2.0f},
	{"errors", SF_COMPLAINT, -1.7f},
	{"failing", SF_COMPLAINT, -2.0f},
	{"garbage", SF_COMPLAINT, -2.5f}, {"trash", SF_COMPLAINT, -2.2f},
	{"junk", SF_COMPLAINT, -2.2f}, {"refunded", 0, 0.3f},
	{"fix", 0, 0}, {"overdue", SF_COMPLAINT, -1.3f},
	{"undelivered", SF_COMPLAINT, -2.0f}, {"misrouted", SF_COMPLAINT, -1.5f},
	{"unanswered", SF_COMPLAINT, -1.8f}, {"nobody", SF_NEGATOR, 0},
	{"drains", SF_COMPLAINT, -1.0f}, {"throttled", SF_COMPLAINT, -1.2f},
	/* everyday words the lexicon lacks */
	{"recommended", 0, 1.5f}, {"flawless", 0, 2.8f}, {"flawlessly", 0, 2.6f},
	{"lifesaver", 0, 2.5f}, {"outstanding", 0, NAN},
	{"sturdy", 0, 1.3f}, {"reliable", 0, 1.6f}, {"intuitive", 0, 1.5f},
	{"seamless", 0, 1.8f}, {"seamlessly", 0, 1.8f},
	{"snappy", 0, 1.2f}, {"responsive", 0, 1.3f}, {"painless", 0, 1.5f},
	{"slow", 0, -1.2f}, {"sluggish", 0, -1.5f}, {"noisy", 0, -1.0f},
	{"mediocre", 0, -1.3f}, {"meh", 0, -1.0f}, {"subpar", 0, -1.8f},
	{"underwhelming", 0, -1.6f}, {"unhelpful", 0, -2.0f},
	{"poorly", 0, -1.8f}, {"hassle", 0, -1.5f}, {"annoyingly", 0, -1.6f},
	{"fixed", 0, 0.6f}, {"fixing", 0, 0.8f}, {"fast", 0, 1.2f},
	{"speedy", 0, 1.5f}, {"repaired", 0, 0.8f}, {"smooth", 0, 1.2f},
	{"quick", 0, 1.0f}, {"affordable", 0, 1.5f},
	{"unbearable", 0, -2.5f}, {"slowest", 0, -1.5f}, {"faded", 0, -1.2f},
	{"fades", 0, -1.0f}, {"fading", 0, -1.0f}, {"fiddly", 0, -1.0f},
	{"scratches", SF_COMPLAINT, -1.2f}, {"unnecessary", 0, -1.0f},
	{"famine", 0, -3.0f}, {"yet", SF_CONTEXT, 0},
	{"discovered", 0, 0.8f}, {"normally", 0, 0.8f}, {"smoothly", 0, 1.2f},
	{"chipping", SF_COMPLAINT, -1.2f}, {"chipped", SF_COMPLAINT, -1.4f},
	{"tore", 0, -1.0f}, {"sued", 0, -1.5f}, {"unpaid", 0, -1.2f}, {"resolved", 0, 1.0f}, {"solved", 0, 1.2f},
	{"quickly", 0, 0.5f}, {"promptly", 0, 1.0f}, {"refreshing", 0, 1.5f},
	{"ugh", 0, -1.8f}, {"smh", 0, -1.5f}, {"wtf", 0, -2.2f}, {"fml", 0, -2.4f},
	{"ffs", 0, -2.0f}, {"worthless", 0, NAN}, {"gem", 0, 2.0f},
	{"incredible", 0, 3.0f}, {"decent", 0, 1.3f}, {"nightmare", SF_COMPLAINT, -2.5f},
	{"straightforward", 0, 1.2f}, {"shoutout", 0, 1.5f}, {"helped", 0, 1.2f},
	{"strongly", SF_BOOST, 0}, {"hoped", SF_NEUTRAL, 0},
	{"expected", SF_NEUTRAL, 0}, {"promised", SF_NEUTRAL, 0},
	{"power", SF_NEUTRAL, 0},
	{"parties", SF_NEUTRAL, 0}, {"backordered", SF_COMPLAINT, -1.5f},
	{"soaked", 0, -1.2f}, {"sleepless", 0, -1.5f},
	{"late", SF_COMPLAINT, -1.0f},
	{"delayed", SF_COMPLAINT, -1.2f}, {"delays", SF_COMPLAINT, -1.2f},
	{"invalid", SF_COMPLAINT, -1.5f}, {"cracked", SF_COMPLAINT, -1.6f},
	{"cracks", SF_COMPLAINT, -1.4f}, {"chipped", SF_COMPLAINT, -1.4f},
	{"scratched", SF_COMPLAINT, -1.4f}, {"dented", SF_COMPLAINT, -1.4f},
	{"torn", SF_COMPLAINT, -1.4f}, {"ripped", SF_COMPLAINT, -1.2f},
	{"peeling", SF_COMPLAINT, -1.2f}, {"rusted", SF_COMPLAINT, -1.4f},
	{"rusty", SF_COMPLAINT, -1.2f}, {"stained", SF_COMPLAINT, -1.2f},
	{"shattered", SF_COMPLAINT, -1.8f}, {"snapped", SF_COMPLAINT, -1.4f},
	{"melted", SF_COMPLAINT, -1.2f}, {"wobbly", SF_COMPLAINT, -1.2f},
	{"endless", 0, -0.8f}, {"quiet", 0, 0.8f}, {"unreal", 0, 1.5f},
	{"reopened", 0, 1.0f}, {"unanswered", SF_COMPLAINT, -1.8f},
	{"issue", SF_COMPLAINT, -0.8f}, {"issues", SF_COMPLAINT, -1.0f},
	{"neveragain", SF_COMPLAINT, -2.3f}, {"epicfail", SF_COMPLAINT, -2.5f},
	{"omg", 0, 0.5f}, {"fire", 0, NAN},
	{"recovering", 0, 1.3f}, {"recovered", 0, 1.5f}, {"exposed", 0, -1.2f},
	{"threatens", 0, -1.8f}, {"threatened", 0, -1.8f},
	{"declined", SF_COMPLAINT, -1.2f}, {"closure", 0, -1.2f},
	{"closures", 0, -1.5f}, {"sharply", SF_BOOST, 0},
	{"significantly", SF_BOOST, 0}, {"dramatically", SF_BOOST, 0},
	/* news verbs of decline and their opposites */
	{"fell", 0, -1.0f}, {"plunged", 0, -2.0f}, {"plunge", 0, -1.8f},
	{"slumped", 0, -1.8f}, {"tumbled", 0, -1.8f}, {"dipped", 0, -0.8f},
	{"stalled", 0, -1.2f}, {"layoffs", 0, -2.0f}, {"homeless", 0, -2.0f},
	{"burglaries", 0, -2.0f}, {"burglary", 0, -2.0f},
	{"breakthrough", 0, 2.0f}, {"shortage", 0, -1.8f},
	{"shortages", 0, -1.8f}, {"outbreak", 0, -2.0f},
	{"injured", 0, -2.2f}, {"flee", 0, -1.8f}, {"recalled", 0, -1.2f},
	{"wildfires", 0, -2.0f}, {"wildfire", 0, -2.0f}, {"floods", 0, -2.0f},
	{"earthquake", 0, -2.2f}, {"explosion", 0, -2.2f}, {"storm", 0, -1.0f},
};

/* Emoji whose lexicon description carries no valence. */
static const struct { const char *emoji; float valence; } emoji_rules[] = {
	{"\xf0\x9f\x91\x8d", 1.8f},       /* thumbs up */
	{"\xf0\x9f\x91\x8e", -1.8f},      /* thumbs down */
	{"\xf0\x9f\x98\xa1", -2.5f},      /* pouting face */
	{"\xf0\x9f\xa4\xac", -3.0f},      /* face with symbols on mouth */
	{"\xf0\x9f\x92\xa9", -1.5f},      /* pile of poo */
	{"\xf0\x9f\x99\x84", -1.5f},      /* rolling eyes */
	{"\xf0\x9f\x98\xa4", -1.8f},      /* face with steam from nose */
	{"\xf0\x9f\x98\x92", -1.5f},      /* unamused */
	{"\xf0\x9f\x98\x91", -0.8f},      /* expressionless */
	{"\xf0\x9f\xa4\xa6", -1.5f},      /* facepalm */
	{"\xf0\x9f\x99\x8f", 1.2f},       /* folded hands */
	{"\xf0\x9f\x91\x8f", 1.8f},       /* clapping hands */
	{"\xf0\x9f\x94\xa5", 1.5f},       /* fire */
	{"\xf0\x9f\x92\xaf", 2.0f},       /* hundred points */
	{"\xf0\x9f\x8e\x89", 2.0f},       /* party popper */
	{"\xe2\x9c\x85", 1.0f},           /* check mark button */
	{"\xe2\x9d\x8c", -1.2f},          /* cross mark */
	{"\xf0\x9f\x98\xa9", -2.0f},      /* weary face */
	{"\xf0\x9f\x98\xab", -2.0f},      /* tired face */
	{"\xf0\x9f\x98\xad", -2.0f},      /* loudly crying face */
	{"\xf0\x9f\x98\xa2", -1.8f},      /* crying face */
	{"\xf0\x9f\x98\x8d", 3.0f},       /* heart eyes */
	{"\xf0\x9f\xa5\xb0", 3.0f},       /* smiling face with hearts */
	{"\xf0\x9f\x98\x8a", 2.2f},       /* smiling face with smiling eyes */
	{"\xf0\x9f\x99\x82", 1.2f},       /* slightly smiling face */
	{"\xf0\x9f\x99\x81", -1.2f},      /* slightly frowning face */
	{"\xe2\x98\xb9", -1.5f},          /* frowning face */
	{"\xf0\x9f\x98\xa0", -2.5f},      /* angry face */
	{"\xf0\x9f\x98\x9e", -2.0f},      /* disappointed face */
	{"\xf0\x9f\x98\x94", -1.5f},      /* pensive face */
	{"\xf0\x9f\x92\x94", -2.2f},      /* broken heart */
	{"\xf0\x9f\x98\x82", 1.5f},       /* tears of joy */
	{"\xf0\x9f\xa4\xa3", 1.5f},       /* rolling on the floor laughing */
	{"\xf0\x9f\x98\x83", 2.0f},       /* grinning face with big eyes */
	{"\xf0\x9f\x98\x80", 2.0f},       /* grinning face */
	{"\xf0\x9f\xa4\x94", -0.3f},      /* thinking face */
	{"\xf0\x9f\x98\xb4", -0.8f},      /* sleeping face */
	{"\xf0\x9f\x92\x80", -0.5f},      /* skull */
	{"\xf0\x9f\x98\xac", -0.8f},      /* grimacing face */
	{"\xf0\x9f\x98\x89", 1.5f},       /* winking face */
	{"\xf0\x9f\x98\x8b", 2.0f},       /* face savoring food */
	{"\xf0\x9f\xa4\xa9", 2.8f},       /* star-struck */
	{"\xf0\x9f\xa4\xa8", -0.8f},      /* raised eyebrow */
	{"\xf0\x9f\x98\x90", -0.3f},      /* neutral face */
	{"\xf0\x9f\x98\xa3", -1.8f},      /* persevering face */
	{"\xf0\x9f\x98\xaa", -1.0f},      /* sleepy face */
	{"\xf0\x9f\x98\x9b", 1.2f},       /* face with tongue */
	{"\xf0\x9f\x98\x9c", 1.5f},       /* winking face with tongue */
	{"\xf0\x9f\x98\x9d", 1.3f},       /* squinting face with tongue */
	{"\xf0\x9f\x99\x83", -0.3f},      /* upside-down face */
	{"\xf0\x9f\x98\x96", -2.0f},      /* confounded face */
	{"\xf0\x9f\xa4\xaf", -0.5f},      /* exploding head */
	{"\xf0\x9f\x98\xb3", -0.5f},      /* flushed face */
	{"\xf0\x9f\xa4\xaa", 1.0f},       /* zany face */
	{"\xf0\x9f\x98\xb7", -1.0f},      /* face with medical mask */
	{"\xf0\x9f\xa4\x92", -1.5f},      /* face with thermometer */
	{"\xf0\x9f\xa4\x95", -1.5f},      /* face with head-bandage */
	{"\xf0\x9f\xa4\xa2", -2.2f},      /* nauseated face */
	{"\xf0\x9f\xa4\xae", -2.5f},      /* face vomiting */
	{"\xf0\x9f\xa4\xa0", 1.5f},       /* cowboy hat face */
	{"\xf0\x9f\xa5\xb4", -0.8f},      /* woozy face */
	{"\xf0\x9f\xa5\xba", -0.5f},      /* pleading face */
	{"\xf0\x9f\xa4\xa1", -1.2f},      /* clown face */
	{"\xf0\x9f\x98\xbe", -2.0f},      /* pouting cat */
	{"\xf0\x9f\x99\x8e", -1.5f},      /* person pouting */
	{"\xf0\x9f\xa4\x9e", 1.0f},       /* crossed fingers */
	{"\xf0\x9f\xa4\x98", 1.5f},       /* sign of the horns */
	{"\xf0\x9f\xa4\x9f", 2.0f},       /* love-you gesture */
	{"\xf0\x9f\x99\x8c", 2.0f},       /* raising hands */
	{"\xf0\x9f\xa4\x9d", 1.2f},       /* handshake */
	{"\xf0\x9f\x92\xaa", 1.5f},       /* flexed biceps */
	{"\xe2\x9c\xa8", 1.0f},            /* sparkles */
	{"\xf0\x9f\x98\x85", 0.5f},       /* grinning face with sweat */
};

static const char *const trend_up[] = {
	"rise", "rises", "rose", "risen", "rising", "increase", "increases",
	"raised", "raises", "raising",
	"increased", "increasing", "grew", "grow", "grows", "growing",
	"soared", "soar", "soaring", "surged", "surge", "surging", "jumped",
	"climbed", "climbing", "higher", "highest", "boosted", "doubled",
	"tripled", "rebounded", "up",
};
static const char *const trend_down[] = {
	"fall", "falls", "fell", "fallen", "falling", "drop", "drops",
	"dropped", "dropping", "decline", "declines", "declined", "declining",
	"decrease", "decreases", "decreased", "decreasing", "slowed", "slowing",
	"slows", "eased", "easing", "cooled", "cooling", "dipped", "dip",
	"shrank", "shrunk", "shrinking", "plunged", "plunge", "plunging",
	"tumbled", "slumped", "slump", "lower", "lowest", "reduced", "fewer",
	"halved", "down", "sank", "sinking", "contracted", "cut", "cuts",
	"slashed", "weakened", "weakening", "frozen", "froze", "freeze",
};
static const char *const trend_bad[] = {
	"unemployment", "jobless", "crime", "crimes", "inflation", "deaths",
	"cases", "infections", "poverty", "debt", "deficit", "losses",
	"emissions", "pollution", "prices", "costs", "homelessness",
	"layoffs", "casualties", "fatalities", "accidents", "bankruptcies",
	"taxes", "burglaries", "murders", "waiting", "delays", "complaints",
	"cost",
	"arrests", "overdoses", "suicides", "times", "queues", "waits",
	"fares", "bills", "bill", "rents", "rent", "fee", "fees",
};
static const char *const trend_good[] = {
	"growth", "profit", "profits", "sales", "exports", "visitors",
	"revenue", "revenues", "wages", "confidence", "employment", "jobs",
	"output", "earnings", "shares", "stock", "stocks", "turnout",
	"donations", "productivity", "investment", "income", "demand",
	"tourism", "attendance", "savings", "production", "economy", "gdp",
	"spending", "subscribers", "users", "membership", "enrolment",
	"enrollment", "funding", "survival",
};

/* a problem solved: politeness in the same text is sincere */
static const char *const resolution[] = {
	"fixed", "fixing", "resolved", "solved", "sorted", "sorting",
	"refunded", "replaced", "quick", "quickly", "fast", "promptly",
	"working", "works", "helped", "helpful",
};

/* verbs that make the problem after them a thing of the past */
static const char *const fixers[] = {
	"fixed", "fixing", "resolved", "resolving", "solved", "solving",
	"sorted", "sorting", "repaired", "cleared",
};

/* things a customer waits for: "no refund", "without signal" */
static const char *const wanted[] = {
	"refund", "refunds", "response", "responses", "reply", "replies",
	"answer", "answers", "callback", "update", "updates", "delivery",
	"signal", "service", "internet", "wifi", "power", "heating", "heat",
	"water", "explanation", "apology", "compensation", "help", "support",
	"information", "info", "confirmation", "tracking", "progress",
	"replacement", "receipt", "word", "news", "reception", "connection",
	"access", "money",
};

/* words that turn a duration into a wait: "been ... for five days" */
static const char *const stuck[] = {
	"been", "still", "since", "waiting", "waited", "wait", "yet",
	"already", "hold", "playing",
};

/* complaint-frame signals (TR_CUSTOMER ... TR_YOUR) */
static const char *const sig_customer[] = {
	"order", "orders", "claim", "bill", "account", "refund", "parcel",
	"package", "delivery", "booking", "subscription", "card", "ticket",
	"complaint", "data", "deposit", "plan", "tracking", "voucher",
	"invoice", "contract", "warranty", "reservation", "shipment",
	"appointment", "installation", "repair", "return", "password",
	"login", "connection", "line", "meter", "case", "request",
};
static const char *const sig_company[] = {
	"technician", "engineer", "driver", "agent", "agents", "installer",
	"courier", "staff", "manager", "representative", "rep", "bot",
	"chatbot", "operator", "hotline", "helpline", "services", "service",
	"app", "website", "site", "system", "page", "link", "form",
	"checkout", "store", "company", "team", "department", "call",
	"centre", "center", "email", "emails", "portal",
};
static const char *const sig_money[] = {
	"charged", "charge", "charges", "charging", "billed", "billing",
	"fee", "fees", "paid", "payment", "price", "money", "overcharged",
	"owe", "debt", "penalty",
};
static const char *const sig_persist[] = {
	"still", "again", "even", "anymore", "already", "actually",
	"literally", "seriously", "every", "since",
};
static const char *const sig_time[] = {
	"minutes", "hours", "days", "weeks", "months", "week", "month",
	"hour", "year", "years", "mins", "hrs",
};

/* words that open a question asking for something */
static const char *const askers[] = {
	"can", "could", "would", "will", "does", "do", "did", "is", "are",
	"was", "were", "any", "anyone", "anybody", "has", "have", "should",
	"which", "where", "what", "who", "how", "when", "what's", "where's",
	"whats", "wheres", "recommendations", "suggestions",
};

struct phrase_src {
	const char *text; /* words; <neg> <num> <ord> * (one) ~ (0-3) */
	uint8_t kind;
	float valence;
};

static const struct phrase_src phrase_rules[] = {
	/* waiting and silence */
	{"still waiting", PK_COMPLAINT, -2.0f},
	{"been waiting", PK_COMPLAINT, -1.8f},
	{"keep waiting", PK_COMPLAINT, -1.8f},
	{"waiting for", PK_COMPLAINT, -1.2f},
	{"waiting on", PK_COMPLAINT, -1.2f},
	{"on hold", PK_COMPLAINT, -2.0f},
	{"put on hold", PK_COMPLAINT, -2.2f},
	{"hung up", PK_COMPLAINT, -1.8f},
	{"no response", PK_COMPLAINT, -2.0f},
	{"no responses", PK_COMPLAINT, -2.0f},
	{"zero response", PK_COMPLAINT, -2.0f},
	{"zero responses", PK_COMPLAINT, -2.0f},
	{"no reply", PK_COMPLAINT, -2.0f},
	{"no replies", PK_COMPLAINT, -2.0f},
	{"zero replies", PK_COMPLAINT, -2.0f},
	{"no answer", PK_COMPLAINT, -1.8f},
	{"no update", PK_COMPLAINT, -1.5f},
	{"no updates", PK_COMPLAINT, -1.5f},
	{"no help", PK_COMPLAINT, -1.8f},
	{"zero help", PK_COMPLAINT, -2.0f},
	{"no one", PK_SILENT, 0},
	{"<neg> ~ respond", PK_COMPLAINT, -2.0f},
	{"<neg> ~ responded", PK_COMPLAINT, -2.0f},
	{"<neg> ~ responding", PK_COMPLAINT, -2.0f},
	{"<neg> ~ replied", PK_COMPLAINT, -2.0f},
	{"<neg> ~ answered", PK_COMPLAINT, -2.0f},
	{"<neg> ~ heard back", PK_COMPLAINT, -2.0f},
	{"<neg> ~ got back", PK_COMPLAINT, -2.0f},
	{"<neg> ~ gotten back", PK_COMPLAINT, -2.0f},
	{"<neg> ~ called back", PK_COMPLAINT, -2.0f},
	{"<neg> ~ get back", PK_COMPLAINT, -1.5f},
	{"<neg> ~ help", PK_COMPLAINT, -1.5f},
	{"<neg> ~ helped", PK_COMPLAINT, -1.8f},
	/* broken things */
	{"<neg> ~ work", PK_COMPLAINT, -2.0f},
	{"<neg> ~ works", PK_COMPLAINT, -2.0f},
	{"<neg> ~ working", PK_COMPLAINT, -2.0f},
	{"<neg> ~ worked", PK_COMPLAINT, -2.0f},
	{"<neg> ~ load", PK_COMPLAINT, -1.8f},
	{"<neg> ~ loading", PK_COMPLAINT, -1.8f},
	{"<neg> ~ open", PK_COMPLAINT, -1.8f},
	{"<neg> ~ start", PK_COMPLAINT, -1.5f},
	{"<neg> ~ turn on", PK_COMPLAINT, -1.8f},
	{"<neg> ~ connect", PK_COMPLAINT, -1.8f},
	{"<neg> ~ sync", PK_COMPLAINT, -1.8f},
	{"<neg> ~ charge", PK_COMPLAINT, -1.5f},
	{"<neg> ~ log in", PK_COMPLAINT, -2.0f},
	{"<neg> ~ login", PK_COMPLAINT, -2.0f},
	{"<neg> ~ sign in", PK_COMPLAINT, -2.0f},
	{"<neg> ~ access", PK_COMPLAINT, -1.8f},
	{"<neg> ~ arrived", PK_COMPLAINT, -2.0f},
	{"<neg> ~ arrive", PK_COMPLAINT, -1.8f},
	{"<neg> ~ received", PK_COMPLAINT, -1.8f},
	{"<neg> ~ receive", PK_COMPLAINT, -1.5f},
	{"<neg> ~ delivered", PK_COMPLAINT, -1.8f},
	{"<neg> ~ shipped", PK_COMPLAINT, -1.8f},
	{"<neg> ~ fixed", PK_COMPLAINT, -1.8f},
	{"<neg> ~ resolved", PK_COMPLAINT, -1.8f},
	{"<neg> ~ solved", PK_COMPLAINT, -1.8f},
	{"<neg> ~ refunded", PK_COMPLAINT, -2.0f},
	{"<neg> ~ worth", PK_COMPLAINT, -2.0f},
	{"<neg> ~ buy", PK_COMPLAINT, -1.5f},
	{"<neg> ~ as described", PK_COMPLAINT, -2.0f},
	{"<neg> ~ as advertised", PK_COMPLAINT, -2.0f},
	{"stopped working", PK_COMPLAINT, -2.5f},
	{"stops working", PK_COMPLAINT, -2.5f},
	{"quit working", PK_COMPLAINT, -2.3f},
	{"stopped responding", PK_COMPLAINT, -2.3f},
	{"stopped charging", PK_COMPLAINT, -2.3f},
	{"keeps crashing", PK_COMPLAINT, -2.5f},
	{"keeps freezing", PK_COMPLAINT, -2.5f},
	{"keeps disconnecting", PK_COMPLAINT, -2.3f},
	{"keeps dropping", PK_COMPLAINT, -2.0f},
	{"keeps failing", PK_COMPLAINT, -2.3f},
	{"keeps happening", PK_COMPLAINT, -1.5f},
	{"locked out", PK_COMPLAINT, -2.0f},
	{"fell apart", PK_COMPLAINT, -2.3f},
	{"falls apart", PK_COMPLAINT, -2.3f},
	{"came apart", PK_COMPLAINT, -2.0f},
	{"went downhill", PK_COMPLAINT, -2.0f},
	{"gone downhill", PK_COMPLAINT, -2.0f},
	{"going downhill", PK_COMPLAINT, -2.0f},
	{"dropped the ball", PK_COMPLAINT, -2.0f},
	/* money */
	{"charged twice", PK_COMPLAINT, -2.2f},
	{"double charged", PK_COMPLAINT, -2.2f},
	{"billed twice", PK_COMPLAINT, -2.2f},
	{"charged me", PK_COMPLAINT, -1.0f},
	{"still charging", PK_COMPLAINT, -1.8f},
	{"rip off", PK_COMPLAINT, -2.5f},
	{"waste of money", PK_COMPLAINT, -2.5f},
	{"waste of time", PK_COMPLAINT, -2.3f},
	{"money back", PK_COMPLAINT, -1.5f},
	/* chasing */
	{"where is my", PK_COMPLAINT, -1.5f},
	{"where's my", PK_COMPLAINT, -1.5f},
	{"any update", PK_COMPLAINT, -1.0f},
	{"any updates", PK_COMPLAINT, -1.0f},
	{"how long", PK_DURATION, -0.8f},
	{"how many times", PK_COMPLAINT, -1.5f},
	{"how hard is it", PK_COMPLAINT, -1.8f},
	{"too much to ask", PK_COMPLAINT, -2.0f},
	{"get your act together", PK_COMPLAINT, -2.0f},
	{"fix this", PK_COMPLAINT, -1.0f},
	{"fix it", PK_COMPLAINT, -0.6f},
	{"<ord> time", PK_COMPLAINT, -1.5f},
	{"<ord> email", PK_COMPLAINT, -1.5f},
	{"<ord> call", PK_COMPLAINT, -1.5f},
	{"<num> times", PK_COMPLAINT, -1.0f},
	{"been <num> days", PK_COMPLAINT, -1.5f},
	{"been <num> weeks", PK_COMPLAINT, -1.5f},
	{"been <num> months", PK_COMPLAINT, -1.5f},
	{"been <num> hours", PK_COMPLAINT, -1.5f},
	{"been over <num>", PK_COMPLAINT, -1.5f},
	{"yet again", PK_COMPLAINT, -1.5f},
	{"yet another", PK_COMPLAINT, -1.5f},
	{"again and again", PK_COMPLAINT, -1.5f},
	{"every single time", PK_COMPLAINT, -1.0f},
	{"never again", PK_COMPLAINT, -2.3f},
	{"never ~ again", PK_COMPLAINT, -2.3f},
	{"won't be back", PK_COMPLAINT, -2.0f},
	{"not coming back", PK_COMPLAINT, -2.0f},
	{"last straw", PK_COMPLAINT, -2.0f},
	{"sick of", PK_COMPLAINT, -2.0f},
	{"had enough", PK_COMPLAINT, -1.5f},
	{"let down", PK_COMPLAINT, -1.8f},
	{"let me down", PK_COMPLAINT, -2.0f},
	{"let us down", PK_COMPLAINT, -2.0f},
	{"could be better", PK_COMPLAINT, -1.2f},
	{"could have been better", PK_COMPLAINT, -1.2f},
	{"a lot to be desired", PK_COMPLAINT, -2.0f},
	{"piece of junk", PK_COMPLAINT, -3.0f},
	{"piece of crap", PK_COMPLAINT, -3.0f},
	{"piece of garbage", PK_COMPLAINT, -3.0f},
	{"piece of shit", PK_COMPLAINT, -3.2f},
	{"one star", PK_COMPLAINT, -2.5f},
	{"1 star", PK_COMPLAINT, -2.5f},
	{"zero stars", PK_COMPLAINT, -2.8f},
	{"0 stars", PK_COMPLAINT, -2.8f},
	{"two stars", PK_COMPLAINT, -1.5f},
	{"2 stars", PK_COMPLAINT, -1.5f},
	/* competitors */
	{"switching to", PK_COMPETITOR, -1.2f},
	{"switched to", PK_COMPETITOR, -1.5f},
	{"switching providers", PK_COMPETITOR, -1.8f},
	{"leaving for a competitor", PK_COMPETITOR, -2.0f},
	{"going to a competitor", PK_COMPETITOR, -2.0f},
	{"going back to", PK_COMPETITOR, -1.5f},
	{"went back to", PK_COMPETITOR, -1.5f},
	{"should have bought", PK_COMPETITOR, -2.0f},
	{"should've bought", PK_COMPETITOR, -2.0f},
	{"should have gone with", PK_COMPETITOR, -2.0f},
	{"should've gone with", PK_COMPETITOR, -2.0f},
	{"should have stuck with", PK_COMPETITOR, -2.0f},
	{"should've stuck with", PK_COMPETITOR, -2.0f},
	{"wish i had bought", PK_COMPETITOR, -2.0f},
	{"wish i'd bought", PK_COMPETITOR, -2.0f},
	{"at least ~ works", PK_COMPETITOR, -1.5f},
	/* sarcasm */
	{"yeah right", PK_SARCASM, -1.8f},
	{"thanks for nothing", PK_SARCASM, -2.5f},
	{"what a joke", PK_SARCASM, -2.0f},
	{"what a surprise", PK_SARCASM_IF_NEG, -1.2f},
	{"big surprise", PK_SARCASM_IF_NEG, -1.2f},
	{"thanks a lot", PK_SARCASM_IF_NEG, -1.8f},
	{"thanks a bunch", PK_SARCASM_IF_NEG, -1.8f},
	{"thanks so much", PK_SARCASM_IF_NEG, -1.5f},
	{"thank you so much", PK_SARCASM_IF_NEG, -1.5f},
	{"just what i needed", PK_SARCASM_IF_NEG, -2.0f},
	{"exactly what i needed", PK_SARCASM_IF_NEG, -2.0f},
	{"good job", PK_SARCASM_IF_NEG, -1.5f},
	{"great job", PK_SARCASM_IF_NEG, -1.5f},
	{"nice job", PK_SARCASM_IF_NEG, -1.5f},
	{"well done", PK_SARCASM_IF_NEG, -1.5f},
	{"way to go", PK_SARCASM_IF_NEG, -1.5f},
	{"love how", PK_SARCASM_IF_NEG, -2.0f},
	{"love it when", PK_SARCASM_IF_NEG, -2.0f},
	{"love when", PK_SARCASM_IF_NEG, -2.0f},
	{"love that", PK_SARCASM_IF_NEG, -2.0f},
	{"so glad", PK_SARCASM_IF_NEG, -1.5f},
	{"still nothing", PK_COMPLAINT, -2.0f},
	{"<neg> ~ exist", PK_COMPLAINT, -1.5f},
	{"<neg> ~ arrives", PK_COMPLAINT, -1.8f},
	{"<neg> ~ called", PK_COMPLAINT, -1.8f},
	{"<neg> ~ signed up", PK_COMPLAINT, -2.0f},
	{"<neg> ~ ordered", PK_COMPLAINT, -1.8f},
	{"<neg> ~ order this", PK_COMPLAINT, -1.8f},
	{"<neg> ~ authorize", PK_COMPLAINT, -1.8f},
	{"<neg> ~ authorized", PK_COMPLAINT, -1.8f},
	{"<neg> ~ my thing", PK_IDIOM, -1.0f},
	{"is down", PK_COMPLAINT, -1.5f},
	{"been down", PK_COMPLAINT, -1.8f},
	{"was down", PK_COMPLAINT, -1.2f},
	{"went down", PK_COMPLAINT, -1.2f},
	{"still down", PK_COMPLAINT, -2.0f},
	{"down again", PK_COMPLAINT, -2.0f},
	{"is how you treat", PK_COMPLAINT, -2.0f},
	{"how you treat your", PK_COMPLAINT, -1.5f},
	{"without warning", PK_COMPLAINT, -1.5f},
	{"without notice", PK_COMPLAINT, -1.5f},
	{"want an explanation", PK_COMPLAINT, -1.5f},
	{"logs me out", PK_COMPLAINT, -1.5f},
	{"logged me out", PK_COMPLAINT, -1.5f},
	{"kicks me out", PK_COMPLAINT, -1.5f},
	{"kicked me out", PK_COMPLAINT, -1.5f},
	{"why would you", PK_COMPLAINT, -1.5f},
	{"why does it take", PK_COMPLAINT, -1.5f},
	{"why is it so", PK_COMPLAINT, -1.2f},
	{"why do i have to", PK_COMPLAINT, -1.5f},
	{"why was my", PK_COMPLAINT, -1.2f},
	{"why is my", PK_COMPLAINT, -1.2f},
	{"now you tell me", PK_COMPLAINT, -1.5f},
	{"same answer", PK_COMPLAINT, -1.2f},
	{"same response", PK_COMPLAINT, -1.2f},
	{"same issue", PK_COMPLAINT, -1.2f},
	{"copy pasted", PK_COMPLAINT, -1.5f},
	{"closing my account", PK_COMPLAINT, -1.8f},
	{"close my account", PK_COMPLAINT, -1.5f},
	{"no power", PK_COMPLAINT, -1.8f},
	{"no internet", PK_COMPLAINT, -1.8f},
	{"no service", PK_COMPLAINT, -1.8f},
	{"no signal", PK_COMPLAINT, -1.5f},
	{"no water", PK_COMPLAINT, -1.8f},
	{"no heat", PK_COMPLAINT, -1.8f},
	{"runs hot", PK_COMPLAINT, -1.3f},
	{"behind schedule", PK_IDIOM, -1.5f},
	{"lay off", PK_IDIOM, -2.0f},
	{"laid off", PK_IDIOM, -2.2f},
	{"can't sleep", PK_IDIOM, -1.5f},
	{"cannot sleep", PK_IDIOM, -1.5f},
	{"can't believe", PK_SILENT, 0},
	{"cannot believe", PK_SILENT, 0},
	{"problem solved", PK_IDIOM, 2.0f},
	{"issue resolved", PK_IDIOM, 2.0f},
	{"it works", PK_IDIOM, 1.0f},
	{"works well", PK_IDIOM, 2.0f},
	{"works fine", PK_IDIOM, 1.5f},
	{"works great", PK_IDIOM, 2.8f},
	{"works perfectly", PK_IDIOM, 2.8f},
	{"<num> hours late", PK_COMPLAINT, -2.0f},
	{"<num> days late", PK_COMPLAINT, -2.0f},
	{"<num> hour delay", PK_COMPLAINT, -2.0f},
	{"without wifi", PK_COMPLAINT, -1.8f},
	{"without internet", PK_COMPLAINT, -1.8f},
	{"without power", PK_COMPLAINT, -1.8f},
	{"without service", PK_COMPLAINT, -1.8f},
	{"without heating", PK_COMPLAINT, -1.8f},
	{"without water", PK_COMPLAINT, -1.8f},
	{"no wifi", PK_COMPLAINT, -1.8f},
	{"<neg> ~ come", PK_COMPLAINT, -1.5f},
	{"<neg> ~ showed up", PK_COMPLAINT, -2.0f},
	{"<neg> ~ shown up", PK_COMPLAINT, -2.0f},
	{"<neg> ~ turned up", PK_COMPLAINT, -2.0f},
	{"<neg> ~ picks up", PK_COMPLAINT, -2.0f},
	{"<neg> ~ picked up", PK_COMPLAINT, -1.8f},
	{"<neg> ~ answers", PK_COMPLAINT, -2.0f},
	{"<neg> ~ records", PK_COMPLAINT, -1.5f},
	{"no longer", PK_COMPLAINT, -1.2f},
	{"known issue", PK_COMPLAINT, -1.0f},
	{"no fix", PK_COMPLAINT, -1.5f},
	{"been trying to", PK_COMPLAINT, -1.2f},
	{"took <num> days", PK_COMPLAINT, -1.2f},
	{"took <num> weeks", PK_COMPLAINT, -1.5f},
	{"took <num> hours", PK_COMPLAINT, -1.0f},
	{"smaller than", PK_COMPLAINT, -1.0f},
	{"than it looks", PK_COMPLAINT, -1.0f},
	{"than advertised", PK_COMPLAINT, -1.0f},
	{"than pictured", PK_COMPLAINT, -1.0f},
	{"than described", PK_COMPLAINT, -1.0f},
	{"loving it", PK_SARCASM_IF_NEG, -1.8f},
	{"just loving it", PK_SARCASM_IF_NEG, -1.8f},
	{"still works", PK_IDIOM, 1.5f},
	{"having issues", PK_COMPLAINT, -1.5f},
	{"can't stop", PK_SILENT, 0},
	{"my saved", PK_SILENT, 0},
	{"your saved", PK_SILENT, 0},
	{"the saved", PK_SILENT, 0},
	{"all my saved", PK_SILENT, 0},
	{"back to normal", PK_IDIOM, 1.5f},
	{"mixed reactions", PK_IDIOM, -0.5f},
	{"mixed reviews", PK_IDIOM, -0.5f},
	{"mixed feelings", PK_IDIOM, -0.5f},
	{"shoutout to", PK_SARCASM_IF_NEG, -1.5f},
	{"shout out to", PK_SARCASM_IF_NEG, -1.5f},
	{"expected more", PK_COMPLAINT, -1.2f},
	{"expected better", PK_COMPLAINT, -1.5f},
	{"runs smoothly", PK_IDIOM, 1.5f},
	{"on schedule", PK_IDIOM, 1.0f},
	{"on track", PK_IDIOM, 1.0f},
	{"under budget", PK_IDIOM, 1.2f},
	{"over budget", PK_IDIOM, -1.2f},
	{"pushed back", PK_IDIOM, -0.8f},
	{"best way to", PK_SILENT, 0},
	{"the best way to", PK_SILENT, 0},
	{"sent it back", PK_COMPLAINT, -1.2f},
	{"send it back", PK_COMPLAINT, -1.0f},
	{"<neg> ~ get through", PK_COMPLAINT, -1.8f},
	{"<neg> ~ take responsibility", PK_COMPLAINT, -1.8f},
	{"<neg> ~ told me", PK_COMPLAINT, -1.2f},
	{"<neg> ~ showing", PK_COMPLAINT, -1.2f},
	{"do not reply", PK_SILENT, 0},
	{"don't reply", PK_SILENT, 0},
	{"cannot stop", PK_SILENT, 0},
	{"couldn't stop", PK_SILENT, 0},
	{"came without", PK_COMPLAINT, -1.5f},
	{"arrived without", PK_COMPLAINT, -1.5f},
	{"down for", PK_COMPLAINT, -1.5f},
	{"site down", PK_COMPLAINT, -1.5f},
	{"returned it", PK_COMPLAINT, -1.0f},
	{"returning it", PK_COMPLAINT, -1.2f},
	{"returning this", PK_COMPLAINT, -1.2f},
	{"sending it back", PK_COMPLAINT, -1.2f},
	{"works as expected", PK_IDIOM, 1.0f},
	{"nothing special", PK_IDIOM, -0.5f},
	{"scratches easily", PK_COMPLAINT, -1.8f},
	{"breaks easily", PK_COMPLAINT, -2.0f},
	{"tears easily", PK_COMPLAINT, -1.8f},
	{"stains easily", PK_COMPLAINT, -1.5f},
	{"goes crazy for", PK_IDIOM, 1.5f},
	{"go crazy for", PK_IDIOM, 1.5f},
	{"crazy about", PK_IDIOM, 2.0f},
	{"pulled alive", PK_IDIOM, 2.5f},
	{"found alive", PK_IDIOM, 2.5f},
	{"without homes", PK_IDIOM, -2.0f},
	{"without food", PK_IDIOM, -2.0f},
	{"without shelter", PK_IDIOM, -2.0f},
	{"standing ovation", PK_IDIOM, 2.5f},
	{"been a week", PK_COMPLAINT, -1.5f},
	{"been a month", PK_COMPLAINT, -1.5f},
	{"been ages", PK_COMPLAINT, -1.2f},
	{"for ages", PK_COMPLAINT, -1.0f},
	{"hold music", PK_COMPLAINT, -1.0f},
	{"greyed out", PK_COMPLAINT, -1.0f},
	{"<neg> ~ let me", PK_COMPLAINT, -1.5f},
	{"<neg> ~ reply", PK_COMPLAINT, -2.0f},
	{"<neg> ~ find", PK_COMPLAINT, -1.2f},
	{"for <num> minutes", PK_DURATION, -1.5f},
	{"for <num> hours", PK_DURATION, -1.5f},
	{"for <num> days", PK_DURATION, -1.5f},
	{"for <num> weeks", PK_DURATION, -1.8f},
	{"for <num> months", PK_DURATION, -1.8f},
	{"for over <num>", PK_DURATION, -1.5f},
	{"for a week", PK_DURATION, -1.5f},
	{"for a month", PK_DURATION, -1.5f},
	{"<num> weeks ago", PK_DURATION, -1.2f},
	{"<num> days ago", PK_DURATION, -1.0f},
	{"<num> months ago", PK_DURATION, -1.2f},
	{"<num> weeks since", PK_COMPLAINT, -1.5f},
	{"<num> days since", PK_COMPLAINT, -1.5f},
	{"but also", PK_SILENT, 0},
	{"sorted out", PK_IDIOM, 1.5f},
	{"working again", PK_IDIOM, 1.5f},
	{"works now", PK_IDIOM, 1.5f},
	{"back up and running", PK_IDIOM, 1.8f},
	{"up and running", PK_IDIOM, 1.2f},
	{"scaled back", PK_IDIOM, -1.0f},
	{"close ~ stores", PK_IDIOM, -1.5f},
	{"close ~ plants", PK_IDIOM, -1.5f},
	{"close ~ factories", PK_IDIOM, -1.5f},
	{"close ~ offices", PK_IDIOM, -1.2f},
	{"closing ~ stores", PK_IDIOM, -1.5f},
	{"shut down", PK_IDIOM, -1.2f},
	{"declined to comment", PK_SILENT, 0},
	{"<num> months early", PK_IDIOM, 1.5f},
	{"<num> weeks early", PK_IDIOM, 1.5f},
	{"<num> days early", PK_IDIOM, 1.0f},
	{"arrived early", PK_IDIOM, 1.2f},
	{"on time", PK_IDIOM, 1.0f},
	{"made it", PK_IDIOM, 0.8f},
	{"great start", PK_SARCASM_IF_NEG, -1.8f},
	{"perfect timing", PK_SARCASM_IF_NEG, -1.8f},
	{"great timing", PK_SARCASM_IF_NEG, -1.8f},
	{"just great", PK_SARCASM_IF_NEG, -2.0f},
	{"just perfect", PK_SARCASM_IF_NEG, -2.0f},
	{"just wonderful", PK_SARCASM_IF_NEG, -2.0f},
	{"of course", PK_SARCASM_IF_NEG, -0.8f},
	{"where is the money", PK_COMPLAINT, -1.8f},
	{"where's the money", PK_COMPLAINT, -1.8f},
	{"real person", PK_COMPLAINT, -1.2f},
	{"real human", PK_COMPLAINT, -1.2f},
	{"to a human", PK_COMPLAINT, -1.2f},
	{"second time this", PK_COMPLAINT, -1.5f},
	{"time this has happened", PK_COMPLAINT, -1.5f},
	{"was promised", PK_COMPLAINT, -1.0f},
	{"were promised", PK_COMPLAINT, -1.0f},
	{"does nothing", PK_COMPLAINT, -1.5f},
	{"<neg> ~ updated", PK_COMPLAINT, -1.5f},
	{"<neg> ~ download", PK_COMPLAINT, -1.5f},
	{"<neg> ~ upload", PK_COMPLAINT, -1.5f},
	{"<neg> ~ install", PK_COMPLAINT, -1.5f},
	{"<neg> ~ pay", PK_COMPLAINT, -1.3f},
	{"<neg> ~ checkout", PK_COMPLAINT, -1.5f},
	{"<neg> ~ submit", PK_COMPLAINT, -1.5f},
	{"<neg> ~ reset", PK_COMPLAINT, -1.3f},
	{"<neg> ~ unsubscribe", PK_COMPLAINT, -1.5f},
	{"<neg> ~ contact", PK_COMPLAINT, -1.3f},
	{"<neg> ~ reach", PK_COMPLAINT, -1.5f},
	{"having problems", PK_COMPLAINT, -1.5f},
	{"having trouble", PK_COMPLAINT, -1.5f},
	{"buy again", PK_IDIOM, 1.5f},
	{"order again", PK_IDIOM, 1.5f},
	{"buy it again", PK_IDIOM, 1.5f},
	{"buying again", PK_IDIOM, 1.5f},
	{"gets the job done", PK_IDIOM, 1.5f},
	{"get the job done", PK_IDIOM, 1.5f},
	{"got the job done", PK_IDIOM, 1.5f},
	{"beat ~ expectations", PK_IDIOM, 1.5f},
	{"ahead of schedule", PK_IDIOM, 1.5f},
	/* idioms and positive set phrases */
	{"can't wait", PK_IDIOM, 1.5f},
	{"cant wait", PK_IDIOM, 1.5f},
	{"cannot wait", PK_IDIOM, 1.5f},
	{"worth it", PK_IDIOM, 1.6f},
	{"well worth", PK_IDIOM, 2.0f},
	{"worth every penny", PK_IDIOM, 2.8f},
	{"does the job", PK_IDIOM, 1.5f},
	{"does what it says", PK_IDIOM, 1.5f},
	{"as described", PK_IDIOM, 1.0f},
	{"as advertised", PK_IDIOM, 1.0f},
	{"top notch", PK_IDIOM, 2.5f},
	{"game changer", PK_IDIOM, 2.5f},
	{"above and beyond", PK_IDIOM, 2.8f},
	{"exceeded my expectations", PK_IDIOM, 2.5f},
	{"exceeded expectations", PK_IDIOM, 2.5f},
	{"exceeds expectations", PK_IDIOM, 2.5f},
	{"better than expected", PK_IDIOM, 2.0f},
	{"worse than expected", PK_IDIOM, -2.0f},
	{"five stars", PK_IDIOM, 2.5f},
	{"5 stars", PK_IDIOM, 2.5f},
	{"four stars", PK_IDIOM, 1.5f},
	{"4 stars", PK_IDIOM, 1.5f},
	{"could be worse", PK_IDIOM, 0.5f},
	{"no brainer", PK_IDIOM, 2.0f},
	{"dead on", PK_IDIOM, 1.5f},
	{"in the red", PK_IDIOM, -1.5f},
	{"in the black", PK_IDIOM, 1.5f},
	{"under the weather", PK_IDIOM, -1.5f},
	{"on the ball", PK_IDIOM, 1.5f},
	{"cut corners", PK_IDIOM, -1.5f},
	{"cutting corners", PK_IDIOM, -1.5f},
	{"kiss of death", PK_IDIOM, -2.0f},
	{"upper hand", PK_IDIOM, 1.0f},
	{"hand to mouth", PK_IDIOM, -1.5f},
	{"back handed", PK_IDIOM, -1.5f},
	{"blow smoke", PK_IDIOM, -1.5f},
	{"blowing smoke", PK_IDIOM, -1.5f},
	{"break a leg", PK_IDIOM, 1.5f},
	{"cooking with gas", PK_IDIOM, 1.5f},
	{"bad ass", PK_IDIOM, 1.5f},
	{"customer care", PK_SILENT, 0},
	{"customer service", PK_SILENT, 0},
	{"health care", PK_SILENT, 0},
	{"take care", PK_IDIOM, 1.0f},
	{"nothing but", PK_SILENT, 0},
	{"not only", PK_SILENT, 0},
	{"no doubt", PK_IDIOM, 1.0f},
	{"no matter", PK_SILENT, 0},
	{"no wonder", PK_IDIOM, -0.5f},
	{"pretty much", PK_SILENT, 0},
	{"kind regards", PK_SILENT, 0},
	{"best regards", PK_SILENT, 0},
	{"like new", PK_IDIOM, 1.5f},
	{"high quality", PK_IDIOM, 2.0f},
	{"low quality", PK_IDIOM, -2.0f},
	{"poor quality", PK_IDIOM, -2.2f},
	{"good quality", PK_IDIOM, 1.9f},
	{"break down", PK_IDIOM, -1.2f},
	{"broke down", PK_IDIOM, -1.8f},
};

uint32_t hark_lex_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

int32_t hark_lex_find(const struct hark_sentiment_model *m,
		      const char *key, size_t n, uint32_t hash)
{
	uint32_t i = hash & m->mask;

	for (;;) {
		const struct slot *s = &m->slots[i];

		if (s->entry < 0)
			return -1;
		if (s->hash == hash) {
			const struct lex_entry *e = &m->entries[s->entry];

			if (e->keylen == n) {
				/* keys are short: a loop beats a call to memcmp */
				size_t k = 0;

				while (k < n && e->key[k] == key[k])
					k++;
				if (k == n)
					return s->entry;
			}
		}
		i = (i + 1) & m->mask;
	}
}

/* Build-time state: entries grow while a GHashTable maps key -> id. */
struct builder {
	GArray *entries;
	GHashTable *ids;
	GArray *phrases;
};

static int32_t intern(struct builder *b, const char *key)
{
	gpointer v;
	struct lex_entry e = {0};

	if (g_hash_table_lookup_extended(b->ids, key, NULL, &v))
		return GPOINTER_TO_INT(v) - 1;
	e.key = g_strdup(key);
	e.keylen = (uint32_t)strlen(key);
	g_array_append_val(b->entries, e);
	g_hash_table_insert(b->ids, (gpointer)e.key,
			    GINT_TO_POINTER((int)b->entries->len));
	return (int32_t)b->entries->len - 1;
}

static struct lex_entry *entry(struct builder *b, int32_t id)
{
	return &g_array_index(b->entries, struct lex_entry, id);
}

static void add_phrase(struct builder *b, const char *text, uint8_t kind,
		       float valence)
{
	struct phrase p = {.kind = kind, .valence = valence};
	char **words = g_strsplit_set(text, " -", -1);

	for (char **w = words; *w && p.n < PHRASE_MAX; w++) {
		if (!**w)
			continue;
		if (!strcmp(*w, "<neg>"))
			p.w[p.n++] = PW_NEG;
		else if (!strcmp(*w, "<num>"))
			p.w[p.n++] = PW_NUM;
		else if (!strcmp(*w, "<ord>"))
			p.w[p.n++] = PW_ORD;
		else if (!strcmp(*w, "*"))
			p.w[p.n++] = PW_ANY;
		else if (!strcmp(*w, "~"))
			p.w[p.n++] = PW_GAP;
		else
			p.w[p.n++] = intern(b, *w);
		if (p.n > 1 && p.w[p.n - 1] >= 0)
			entry(b, p.w[p.n - 1])->flags |= SF_TAIL;
		if (p.n > 2 && p.w[p.n - 1] >= 0 && p.w[p.n - 2] == PW_GAP)
			entry(b, p.w[p.n - 1])->flags |= SF_GAPTAIL;
	}
	g_strfreev(words);
	if (p.n >= 2 && p.w[0] != PW_GAP && p.w[0] != PW_ANY)
		g_array_append_val(b->phrases, p);
}

static int phrase_cmp(gconstpointer a, gconstpointer b)
{
	const struct phrase *x = a, *y = b;
	int32_t tx = x->w[1] == PW_GAP ? x->w[2] : INT32_MIN;
	int32_t ty = y->w[1] == PW_GAP ? y->w[2] : INT32_MIN;

	if (x->w[0] != y->w[0])
		return x->w[0] < y->w[0] ? -1 : 1;
	/* gap phrases after the others, grouped by the word after the gap */
	if (tx != ty)
		return tx < ty ? -1 : 1;
	/* longer phrases first so the first match is the longest */
	return (int)y->n - (int)x->n;
}

/* A lexicon key is a phrase when it has a space, or a hyphen between
 * letters ("short-sighted"). */
static bool is_multiword(const char *key)
{
	for (const char *p = key; *p; p++) {
		if (*p == ' ')
			return true;
		if (*p == '-' && p > key && g_ascii_isalpha(p[-1]) &&
		    g_ascii_isalpha(p[1]))
			return true;
	}
	return false;
}

/* Emoji keys are stored without U+FE0F (variation selector 16) and skin
 * tones (U+1F3FB..U+1F3FF), and the tokenizer drops them too, so "thumbs
 * up" matches with or without them. */
static char *strip_fe0f(const char *s)
{
	GString *out = g_string_new(NULL);

	for (const char *p = s; *p;) {
		if (!strncmp(p, "\xef\xb8\x8f", 3)) {
			p += 3;
			continue;
		}
		if (!strncmp(p, "\xf0\x9f\x8f", 3) && (unsigned char)p[3] >= 0xbb &&
		    (unsigned char)p[3] <= 0xbf) {
			p += 4;
			continue;
		}
		g_string_append_c(out, *p++);
	}
	return g_string_free(out, FALSE);
}

static float description_valence(struct builder *b, const char *desc)
{
	char **words = g_strsplit_set(desc, " :,", -1);
	float sum = 0;

	for (char **w = words; *w; w++) {
		gpointer v;
		char *low = g_ascii_strdown(*w, -1);

		if (*low && g_hash_table_lookup_extended(b->ids, low, NULL, &v))
			sum += entry(b, GPOINTER_TO_INT(v) - 1)->valence;
		g_free(low);
	}
	g_strfreev(words);
	return CLAMP(sum, -3.5f, 3.5f);
}

static const char *const src_names[SRC_COUNT] = {
	"lexicon", "idiom", "complaint", "sarcasm", "emoji", "emoticon",
	"competitor", "punctuation", "trend", "complaint-context",
};
static const char *const mod_names[6] = {
	"negated", "boosted", "dampened", "but-shifted", "capitalised",
	"compared",
};

static void build_why(struct hark_sentiment_model *m)
{
	for (int src = 0; src < SRC_COUNT; src++) {
		for (int mods = 0; mods < 64; mods++) {
			GString *s = g_string_new(NULL);

			if (src != SRC_LEXICON || !mods)
				g_string_append(s, src_names[src]);
			for (int k = 0; k < 6; k++) {
				if (!(mods & (1 << k)))
					continue;
				if (s->len)
					g_string_append_c(s, ',');
				g_string_append(s, mod_names[k]);
			}
			m->why[src | mods << 4] = g_string_free(s, FALSE);
		}
	}
}

static void set_rule(struct builder *b, const char *word, uint32_t flags,
		     float valence)
{
	struct lex_entry *e = entry(b, intern(b, word));

	e->flags |= flags;
	if (!isnan(valence))
		e->valence = valence;
}

static int32_t id_of(struct builder *b, const char *word)
{
	return intern(b, word);
}

static struct hark_sentiment_model *model_build(void)
{
	struct hark_sentiment_model *m = g_new0(struct hark_sentiment_model, 1);
	struct builder b;
	uint32_t size;

	b.entries = g_array_new(FALSE, TRUE, sizeof(struct lex_entry));
	b.ids = g_hash_table_new(g_str_hash, g_str_equal);
	b.phrases = g_array_new(FALSE, TRUE, sizeof(struct phrase));

	for (size_t i = 0; i < hark_lex_words_len; i++) {
		const struct hark_lex_word *w = &hark_lex_words[i];

		if (is_multiword(w->token))
			add_phrase(&b, w->token, PK_LEXICON, w->valence);
		else
			entry(&b, intern(&b, w->token))->valence = w->valence;
	}
	/* the lexicon marks emoticons only by shape: anything without a
	 * letter, or with letters and punctuation (":D", "<3") */
	for (uint32_t i = 0; i < b.entries->len; i++) {
		struct lex_entry *e = entry(&b, (int32_t)i);
		bool punct = false;

		for (uint32_t k = 0; k < e->keylen; k++)
			if (!g_ascii_isalnum(e->key[k]) && e->key[k] != '\'')
				punct = true;
		if (punct) {
			e->flags |= SF_EMOTICON;
			m->emoticon_first[(unsigned char)e->key[0]] = true;
			m->emoticon_first[(unsigned char)g_ascii_toupper(e->key[0])] = true;
		}
	}

	for (size_t i = 0; i < G_N_ELEMENTS(boosters_up); i++) {
		struct lex_entry *e = entry(&b, intern(&b, boosters_up[i]));

		e->flags |= SF_BOOST;
		e->boost = B_INCR;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(boosters_down); i++) {
		struct lex_entry *e = entry(&b, intern(&b, boosters_down[i]));

		e->flags |= SF_BOOST;
		e->boost = B_DECR;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(dual_boosters); i++)
		set_rule(&b, dual_boosters[i], SF_DUAL, NAN);
	for (size_t i = 0; i < G_N_ELEMENTS(negators); i++)
		set_rule(&b, negators[i], SF_NEGATOR, 0);
	for (size_t i = 0; i < G_N_ELEMENTS(numbers); i++)
		set_rule(&b, numbers[i], SF_NUMBER, NAN);
	for (size_t i = 0; i < G_N_ELEMENTS(ordinals); i++)
		set_rule(&b, ordinals[i], SF_ORDINAL, NAN);
	for (size_t i = 0; i < G_N_ELEMENTS(trend_up); i++)
		entry(&b, intern(&b, trend_up[i]))->trend |= TR_UP;
	for (size_t i = 0; i < G_N_ELEMENTS(trend_down); i++)
		entry(&b, intern(&b, trend_down[i]))->trend |= TR_DOWN;
	for (size_t i = 0; i < G_N_ELEMENTS(trend_bad); i++)
		entry(&b, intern(&b, trend_bad[i]))->trend |= TR_BAD;
	for (size_t i = 0; i < G_N_ELEMENTS(trend_good); i++)
		entry(&b, intern(&b, trend_good[i]))->trend |= TR_GOOD;
	for (size_t i = 0; i < G_N_ELEMENTS(resolution); i++)
		entry(&b, intern(&b, resolution[i]))->trend |= TR_RESOLVED;
	for (size_t i = 0; i < G_N_ELEMENTS(fixers); i++)
		entry(&b, intern(&b, fixers[i]))->trend |= TR_FIXES | TR_RESOLVED;
	for (size_t i = 0; i < G_N_ELEMENTS(wanted); i++)
		entry(&b, intern(&b, wanted[i]))->trend |= TR_WANTED;
	for (size_t i = 0; i < G_N_ELEMENTS(stuck); i++)
		entry(&b, intern(&b, stuck[i]))->trend |= TR_STUCK;
	for (size_t i = 0; i < G_N_ELEMENTS(sig_customer); i++)
		entry(&b, intern(&b, sig_customer[i]))->trend |= TR_CUSTOMER;
	for (size_t i = 0; i < G_N_ELEMENTS(sig_company); i++)
		entry(&b, intern(&b, sig_company[i]))->trend |= TR_COMPANY;
	for (size_t i = 0; i < G_N_ELEMENTS(sig_money); i++)
		entry(&b, intern(&b, sig_money[i]))->trend |= TR_MONEY;
	for (size_t i = 0; i < G_N_ELEMENTS(sig_persist); i++)
		entry(&b, intern(&b, sig_persist[i]))->trend |= TR_PERSIST;
	for (size_t i = 0; i < G_N_ELEMENTS(sig_time); i++)
		entry(&b, intern(&b, sig_time[i]))->trend |= TR_TIME;
	entry(&b, intern(&b, "your"))->trend |= TR_YOUR;
	entry(&b, intern(&b, "ur"))->trend |= TR_YOUR;
	for (size_t i = 0; i < G_N_ELEMENTS(askers); i++)
		entry(&b, intern(&b, askers[i]))->trend |= TR_ASKS;
	for (size_t i = 0; i < G_N_ELEMENTS(word_rules); i++)
		set_rule(&b, word_rules[i].word, word_rules[i].flags,
			 word_rules[i].valence);
	/* a booster that is not dual carries no valence of its own */
	for (uint32_t i = 0; i < b.entries->len; i++) {
		struct lex_entry *e = entry(&b, (int32_t)i);

		if ((e->flags & SF_BOOST) && !(e->flags & SF_DUAL))
			e->valence = 0;
	}

	for (size_t i = 0; i < hark_lex_emoji_len; i++) {
		char *key = strip_fe0f(hark_lex_emoji[i].emoji);
		gpointer v;

		if (!g_hash_table_lookup_extended(b.ids, key, NULL, &v)) {
			float val = description_valence(&b, hark_lex_emoji[i].description);
			struct lex_entry *e = entry(&b, intern(&b, key));

			e->valence = val;
			e->flags |= SF_EMOJI;
			m->max_emoji_bytes = MAX(m->max_emoji_bytes, e->keylen);
		}
		g_free(key);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(emoji_rules); i++) {
		struct lex_entry *e = entry(&b, intern(&b, emoji_rules[i].emoji));

		e->valence = emoji_rules[i].valence;
		e->flags |= SF_EMOJI;
	}

	for (size_t i = 0; i < G_N_ELEMENTS(phrase_rules); i++)
		add_phrase(&b, phrase_rules[i].text, phrase_rules[i].kind,
			   phrase_rules[i].valence);

	m->id.of = id_of(&b, "of");
	m->id.than = id_of(&b, "than");
	m->id.another = id_of(&b, "another");
	m->id.yet = id_of(&b, "yet");
	m->id.more = id_of(&b, "more");
	m->id.now = id_of(&b, "now");
	m->id.at = id_of(&b, "at");
	m->id.very = id_of(&b, "very");
	m->id.only = id_of(&b, "only");
	m->id.how = id_of(&b, "how");
	m->id.when = id_of(&b, "when");
	m->id.that = id_of(&b, "that");
	m->id.oh = id_of(&b, "oh");
	m->id.just = id_of(&b, "just");
	m->id.well = id_of(&b, "well");
	m->id.wow = id_of(&b, "wow");
	m->id.so = id_of(&b, "so");
	m->id.it = id_of(&b, "it");
	m->id.love = id_of(&b, "love");
	m->id.loves = id_of(&b, "loves");
	m->id.loved = id_of(&b, "loved");
	m->id.the = id_of(&b, "the");
	m->id.a = id_of(&b, "a");
	m->id.an = id_of(&b, "an");
	m->id.and = id_of(&b, "and");
	m->id.to = id_of(&b, "to");
	m->id.for_ = id_of(&b, "for");
	m->id.no = id_of(&b, "no");
	m->id.then = id_of(&b, "then");
	m->id.or = id_of(&b, "or");

	/* phrases, grouped by first word */
	g_array_sort(b.phrases, phrase_cmp);
	m->nphrases = b.phrases->len;
	m->phrases = (struct phrase *)g_array_free(b.phrases, FALSE);
	for (uint32_t i = 0; i < m->nphrases;) {
		uint32_t j = i;
		int32_t first = m->phrases[i].w[0];

		while (j < m->nphrases && m->phrases[j].w[0] == first)
			j++;
		if (first >= 0) {
			struct lex_entry *e = entry(&b, first);

			e->phrase_first = i;
			e->phrase_n = j - i;
			e->flags |= SF_PHRASE;
		} else if (first == PW_NEG) {
			/* "<neg> W": tried on every negator; "<neg> ~ W": only
			 * when W is near, through W's entry */
			uint32_t k = i;

			while (k < j && m->phrases[k].w[1] != PW_GAP)
				k++;
			m->neg_first = i;
			m->neg_n = k - i;
			while (k < j) {
				uint32_t l = k;
				struct lex_entry *e = entry(&b, m->phrases[k].w[2]);

				while (l < j && m->phrases[l].w[2] == m->phrases[k].w[2])
					l++;
				e->neggap_first = k;
				e->neggap_n = l - k;
				k = l;
			}
		} else if (first == PW_NUM) {
			m->num_first = i;
			m->num_n = j - i;
		} else if (first == PW_ORD) {
			m->ord_first = i;
			m->ord_n = j - i;
		}
		i = j;
	}

	m->nentries = b.entries->len;
	m->entries = (struct lex_entry *)g_array_free(b.entries, FALSE);
	g_hash_table_destroy(b.ids);

	for (size = 1024; size < m->nentries * 3; size <<= 1)
		;
	m->mask = size - 1;
	m->slots = g_new(struct slot, size);
	for (uint32_t i = 0; i < size; i++)
		m->slots[i] = (struct slot){0, -1};
	for (uint32_t i = 0; i < m->nentries; i++) {
		uint32_t h = hark_lex_hash(m->entries[i].key, m->entries[i].keylen);
		uint32_t s = h & m->mask;

		while (m->slots[s].entry >= 0)
			s = (s + 1) & m->mask;
		m->slots[s] = (struct slot){h, (int32_t)i};
	}
	build_why(m);
	return m;
}

const struct hark_sentiment_model *hark_sentiment_default(void)
{
	static gsize once;
	static struct hark_sentiment_model *model;

	if (g_once_init_enter(&once)) {
		model = model_build();
		g_once_init_leave(&once, 1);
	}
	return model;
}
