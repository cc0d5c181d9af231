/* Replaced by the rules modules. */
int hark_rules_placeholder_;
